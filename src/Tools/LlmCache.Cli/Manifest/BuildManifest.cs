using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace LlmCache.Cli.Manifest;

/// <summary>One cached method as the build manifest describes it (the generator's field names).</summary>
internal sealed record ManifestMethod(
    string Id,
    string Name,
    string Fingerprint,
    string? Ttl,
    IReadOnlyList<string> Tags,
    string? Namespace,
    string? TenantParameter,
    IReadOnlyList<string> KeyedParameters,
    string? FailSafe,
    string? SoftTimeout,
    string? HardTimeout,
    double? EagerRefresh,
    bool Exported,
    JsonElement? Semantic,
    int CallSites);

/// <summary>
/// <c>llmcache.manifest.json</c>, which the LlmCache package's build targets write next to the built
/// assembly; it can also be read from the assembly itself (<c>[assembly: AssemblyMetadata("LlmCache.Manifest", …)]</c>).
/// </summary>
internal sealed record BuildManifest(string Source, string? Assembly, IReadOnlyList<ManifestMethod> Methods)
{
    public const string FileName = "llmcache.manifest.json";
    public const string MetadataKey = "LlmCache.Manifest";
    public const int Schema = 1;

    /// <summary>Reads the manifest at <paramref name="path"/> (a file, a folder holding one, or an assembly); the current folder when null.</summary>
    public static BuildManifest Load(string? path)
    {
        path ??= Directory.GetCurrentDirectory();
        if (Directory.Exists(path))
        {
            string file = Path.Combine(path, FileName);
            if (!File.Exists(file))
            {
                throw new CliException($"no {FileName} in {Path.GetFullPath(path)}: build the app (with the LlmCache package) or pass --manifest");
            }
            path = file;
        }
        if (!File.Exists(path))
        {
            throw new CliException($"manifest not found: {Path.GetFullPath(path)}");
        }
        string json = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)
            ? FromAssembly(path)
            : File.ReadAllText(path);
        return Parse(json, Path.GetFullPath(path));
    }

    public static BuildManifest Parse(string json, string source)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("llmcacheManifest", out JsonElement schema) || schema.GetInt32() > Schema)
            {
                throw new CliException($"{source} is not an LlmCache manifest of schema {Schema} or lower");
            }
            string? assembly = root.TryGetProperty("assembly", out JsonElement a) ? a.GetString() : null;
            ManifestMethod[] methods = root.GetProperty("methods").Deserialize<ManifestMethod[]>(CliContext.JsonOptions) ?? [];
            return new BuildManifest(source, assembly, methods);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new CliException($"{source} is not a readable LlmCache manifest: {ex.Message}", ExitCodes.BadInput, ex);
        }
    }

    /// <summary>The manifest the generator put into an assembly's metadata (read without loading the assembly).</summary>
    private static string FromAssembly(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            MetadataReader reader = pe.GetMetadataReader();
            foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
            {
                CustomAttribute attribute = reader.GetCustomAttribute(handle);
                if (attribute.Constructor.Kind != HandleKind.MemberReference)
                {
                    continue;
                }
                MemberReference constructor = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
                if (constructor.Parent.Kind != HandleKind.TypeReference
                    || reader.GetString(reader.GetTypeReference((TypeReferenceHandle)constructor.Parent).Name) != "AssemblyMetadataAttribute")
                {
                    continue;
                }
                BlobReader blob = reader.GetBlobReader(attribute.Value);
                if (blob.ReadUInt16() != 1)
                {
                    continue; // not a custom attribute blob's prolog
                }
                if (blob.ReadSerializedString() == MetadataKey && blob.ReadSerializedString() is { } json)
                {
                    return json;
                }
            }
        }
        catch (Exception ex) when (ex is BadImageFormatException or InvalidOperationException or IOException)
        {
            throw new CliException($"cannot read {path} as an assembly: {ex.Message}", ExitCodes.BadInput, ex);
        }
        throw new CliException($"{path} carries no LlmCache manifest (no [LlmCached] method, or built without LlmCache's generator)");
    }

    /// <summary>The methods carrying <paramref name="tag"/>.</summary>
    public IEnumerable<ManifestMethod> Tagged(string tag) => Methods.Where(m => m.Tags.Contains(tag, StringComparer.Ordinal));
}
