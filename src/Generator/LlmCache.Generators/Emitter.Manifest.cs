using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LlmCache.Generators.Model;

namespace LlmCache.Generators;

/// <summary>
/// The build manifest: every cached method of the project as JSON (id, fingerprint, TTL, tags,
/// namespace, fail-safe settings, number of intercepted call sites), carried in the assembly as
/// <c>[assembly: AssemblyMetadata("LlmCache.Manifest", json)]</c>. A generator may not write files, so
/// the package's <c>build/LlmCache.targets</c> copies that text out of the built assembly into
/// <c>llmcache.manifest.json</c> next to it (an attribute's string is stored as UTF-8, found between
/// the first and the last property's names without loading the assembly); tools may read it from the
/// assembly as well.
/// </summary>
internal static partial class Emitter
{
    /// <summary>The <c>AssemblyMetadata</c> key of the manifest.</summary>
    internal const string ManifestMetadataKey = "LlmCache.Manifest";

    /// <summary>The manifest's format version: a reader refuses a higher one.</summary>
    internal const int ManifestSchema = 1;

    private static void WriteManifest(SourceWriter w, IReadOnlyList<(MethodModel Method, IReadOnlyList<CallSiteModel> Sites, string KeyApiSuffix)> methods,
        string? assemblyName)
    {
        w.Line("[assembly: global::System.Reflection.AssemblyMetadata(" + Literal(ManifestMetadataKey) + ", " + Literal(ManifestJson(methods, assemblyName)) + ")]");
    }

    /// <summary>
    /// The manifest's text: compact JSON, one line per method, fields in a fixed order, a setting left at the
    /// runtime's default (null) left out. It starts with <c>"llmcacheManifest"</c> (the schema) and ends with
    /// <c>"llmcacheManifestEnd"</c>: the build target finds it by these names.
    /// </summary>
    internal static string ManifestJson(IReadOnlyList<(MethodModel Method, IReadOnlyList<CallSiteModel> Sites, string KeyApiSuffix)> methods,
        string? assemblyName)
    {
        var json = new StringBuilder();
        json.Append("{\"llmcacheManifest\":").Append(ManifestSchema.ToString(CultureInfo.InvariantCulture));
        json.Append(",\"assembly\":").Append(JsonString(assemblyName));
        json.Append(",\"methods\":[");
        for (int i = 0; i < methods.Count; i++)
        {
            MethodModel m = methods[i].Method;
            int dot = m.Id.LastIndexOf('.');
            string name = dot > 0 ? m.Id.Substring(0, dot) : m.Id;
            string fingerprint = dot > 0 ? m.Id.Substring(dot + 1) : "";
            ParameterModel? tenant = m.Parameters.FirstOrDefault(p => p.Role == ParameterRole.Tenant);
            json.Append(i == 0 ? "\n{" : ",\n{");
            Field(json, "id", JsonString(m.Id), first: true);
            Field(json, "name", JsonString(name));
            Field(json, "fingerprint", JsonString(fingerprint));
            Optional(json, "ttl", JsonTime(m.TtlTicks));
            Field(json, "tags", "[" + string.Join(",", m.Tags.Select(JsonString)) + "]");
            Optional(json, "namespace", JsonString(m.Namespace));
            Optional(json, "tenantParameter", JsonString(tenant?.Name));
            Field(json, "keyedParameters", "[" + string.Join(",", m.Parameters.Where(p => p.Role == ParameterRole.Keyed).Select(p => JsonString(p.Name))) + "]");
            Optional(json, "failSafe", JsonTime(m.FailSafeTicks));
            Optional(json, "softTimeout", JsonTime(m.SoftTimeoutTicks));
            Optional(json, "hardTimeout", JsonTime(m.HardTimeoutTicks));
            Optional(json, "eagerRefresh", m.EagerRefresh is { } refresh ? refresh.ToString("R", CultureInfo.InvariantCulture) : "null");
            Field(json, "exported", m.Exported ? "true" : "false");
            Optional(json, "semantic", m.Semantic is { } semantic
                ? "{\"parameter\":" + JsonString(semantic.Parameter) + ",\"compares\":" + JsonString(semantic.Kind == SemanticKind.Messages ? "lastUserMessage" : "text")
                    + ",\"similarity\":" + (semantic.Similarity is { } similarity ? similarity.ToString("R", CultureInfo.InvariantCulture) : "null") + "}"
                : "null");
            Field(json, "callSites", methods[i].Sites.Count.ToString(CultureInfo.InvariantCulture));
            json.Append('}');
        }
        json.Append(methods.Count == 0 ? "]," : "\n],");
        json.Append("\"llmcacheManifestEnd\":true}");
        return json.ToString();
    }

    /// <summary>A field whose null (the runtime's default applies) is left out.</summary>
    private static void Optional(StringBuilder json, string name, string value)
    {
        if (value != "null")
        {
            Field(json, name, value);
        }
    }

    private static void Field(StringBuilder json, string name, string value, bool first = false) =>
        json.Append(first ? "\"" : ",\"").Append(name).Append("\":").Append(value);

    /// <summary>A TTL-like setting in TimeSpan's invariant form (<c>[d.]hh:mm:ss[.fffffff]</c>), null when the runtime's default applies.</summary>
    private static string JsonTime(long? ticks) =>
        ticks is { } t ? JsonString(TimeSpan.FromTicks(t).ToString("c", CultureInfo.InvariantCulture)) : "null";

    private static string JsonString(string? value)
    {
        if (value is null)
        {
            return "null";
        }
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                default:
                    if (c < 0x20)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }
                    break;
            }
        }
        return text.Append('"').ToString();
    }
}
