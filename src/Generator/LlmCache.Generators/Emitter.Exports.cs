using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LlmCache.Generators.Model;

namespace LlmCache.Generators;

// Calls across projects: a library exports an entry point per public cached method; a project that
// calls the method routes its call sites there (Imports.cs finds them).
internal static partial class Emitter
{
    /// <summary>The class of entry points other projects call: one method per public cached method, forwarding to its interceptor.</summary>
    private static void WriteExports(SourceWriter w, string? assemblyName, IEnumerable<MethodModel> methods)
    {
        List<MethodModel> exported = methods.Where(m => m.Exported).ToList();
        if (exported.Count == 0)
        {
            return;
        }
        w.Line();
        w.Line("#nullable enable annotations");
        w.Line("/// <summary>Entry points through which other projects' generated code calls this assembly's public [LlmCached] methods, cached as its own calls.</summary>");
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Open("public static class " + Imports.ExportClassName(assemblyName));
        foreach (MethodModel method in exported)
        {
            if (!ReferenceEquals(method, exported[0]))
            {
                w.Line();
            }
            string typeParams = TypeParameterList(method.TypeParameters);
            var signature = new List<string>();
            var arguments = new List<string>();
            if (method.CallKind == CallKind.Instance)
            {
                signature.Add(method.ContainingTypeText + " @this");
                arguments.Add("@this");
            }
            foreach (ParameterModel p in method.Parameters)
            {
                signature.Add(p.TypeText + " " + Parser.EscapeIdentifier(p.Name));
                arguments.Add(Parser.EscapeIdentifier(p.Name));
            }
            w.Line("/// <summary>Calls <c>" + System.Security.SecurityElement.Escape(method.Id) + "</c> through the cache.</summary>");
            w.Line("[global::LlmCache.LlmCachedExport(" + Literal(method.DocId) + ")]");
            w.Line("public static " + method.ReturnTypeText + " " + ExportName(method) + typeParams + "(" + string.Join(", ", signature) + ")");
            WriteConstraints(w, ConstraintClauses(method.TypeParameters));
            w.Line("    => " + ClassName(method) + "." + InterceptorName(method) + typeParams + "(" + string.Join(", ", arguments) + ");");
        }
        w.Close();
        w.Line("#nullable disable");
    }

    /// <summary>Interceptors of this project's calls to other assemblies' public cached methods: each forwards to the export.</summary>
    private static void WriteImports(SourceWriter w, IReadOnlyList<(ImportModel Import, IReadOnlyList<CallSiteModel> Sites)> imports)
    {
        for (int i = 0; i < imports.Count; i++)
        {
            (ImportModel import, IReadOnlyList<CallSiteModel> sites) = imports[i];
            string typeParams = TypeParameterList(import.TypeParameters);
            var signature = new List<string>();
            var arguments = new List<string>();
            if (import.CallKind == CallKind.Instance)
            {
                signature.Add("this " + import.ContainingTypeText + " @this");
                arguments.Add("@this");
            }
            foreach (ParameterModel p in import.Parameters)
            {
                string prefix = p.IsThis ? "this " : p.IsParams ? "params " : "";
                signature.Add(prefix + p.TypeText + " " + Parser.EscapeIdentifier(p.Name));
                arguments.Add(Parser.EscapeIdentifier(p.Name));
            }
            w.Line();
            w.Line("// ---- " + import.DocId + " (cached by the assembly that declares it) ----");
            w.Open("file static class LlmCacheImport_" + i.ToString(CultureInfo.InvariantCulture));
            WriteSites(w, sites);
            w.Line("public static " + import.ReturnTypeText + " " + Sanitize(import.Name) + typeParams + "(" + string.Join(", ", signature) + ")");
            WriteConstraints(w, ConstraintClauses(import.TypeParameters));
            w.Line("    => " + import.ExportCall + typeParams + "(" + string.Join(", ", arguments) + ");");
            w.Close();
        }
    }

    private static void WriteSites(SourceWriter w, IReadOnlyList<CallSiteModel> sites)
    {
        foreach (CallSiteModel site in sites)
        {
            w.Line("[" + InterceptsLocation + "(" + site.Version.ToString(CultureInfo.InvariantCulture) + ", "
                + Literal(site.Data) + ")] // " + site.DisplayFile + "(" + site.Line.ToString(CultureInfo.InvariantCulture) + ","
                + site.Column.ToString(CultureInfo.InvariantCulture) + ")");
        }
    }

    private static string TypeParameterList(EquatableArray<TypeParameterModel> typeParameters) =>
        typeParameters.Count == 0 ? "" : "<" + string.Join(", ", typeParameters.Select(t => t.Name)) + ">";

    /// <summary>The <c>where</c> clauses of the type parameters that have constraints.</summary>
    private static string[] ConstraintClauses(EquatableArray<TypeParameterModel> typeParameters) =>
        typeParameters.Where(t => t.Constraints.Length > 0).Select(t => t.Constraints).ToArray();

    private static string ClassName(MethodModel method) =>
        "LlmCached_" + Sanitize(method.Name) + "_" + method.Id.Substring(method.Id.LastIndexOf('.') + 1);

    private static string ExportName(MethodModel method) =>
        Sanitize(method.Name) + "_" + method.Id.Substring(method.Id.LastIndexOf('.') + 1);
}
