using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Public [LlmCached] methods of referenced assemblies. Each such assembly's generator exported one
/// entry point per method (a public static class named after the assembly, its methods marked
/// <c>[LlmCachedExport(docId)]</c>); calls made here are routed to it, so a library's method is
/// cached in every project that calls it, under the library's own method id and key.
/// </summary>
internal static class Imports
{
    public const string ExportAttributeName = "LlmCache.LlmCachedExportAttribute";

    private static readonly ConditionalWeakTable<IAssemblySymbol, ImportModel[]> s_byAssembly = new();

    /// <summary>The name of the class an assembly's exported entry points live in.</summary>
    public static string ExportClassName(string? assemblyName)
    {
        var name = new StringBuilder("LlmCacheExports_");
        foreach (char c in assemblyName ?? "")
        {
            name.Append(char.IsLetterOrDigit(c) ? c : '_');
        }
        return name.ToString();
    }

    /// <summary>The imports of every referenced assembly, in reference order; looked up once per assembly symbol.</summary>
    public static EquatableArray<ImportModel> Find(Compilation compilation, CancellationToken cancellationToken)
    {
        var found = new List<ImportModel>();
        foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            found.AddRange(s_byAssembly.GetValue(assembly, static a => Read(a)));
        }
        return found.ToEquatableArray();
    }

    private static ImportModel[] Read(IAssemblySymbol assembly)
    {
        // Only assemblies built with LlmCache can have exports: the lookup below is by exact name.
        INamedTypeSymbol? exports = assembly.GetTypeByMetadataName("LlmCache.Generated." + ExportClassName(assembly.Name));
        if (exports is null || exports.DeclaredAccessibility != Accessibility.Public)
        {
            return System.Array.Empty<ImportModel>();
        }
        var imports = new List<ImportModel>();
        string exportType = exports.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        foreach (IMethodSymbol export in exports.GetMembers().OfType<IMethodSymbol>())
        {
            string? docId = export.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ExportAttributeName)?.ConstructorArguments.FirstOrDefault().Value as string;
            if (docId is null || FindMethod(assembly, docId) is not { } target)
            {
                continue;
            }
            CallKind kind = target.IsExtensionMethod ? CallKind.Extension : target.IsStatic ? CallKind.Static : CallKind.Instance;
            var parameters = target.Parameters.Select(p => new ParameterModel(p.Name, p.Type.ToDisplayString(ShapeBuilder.TypeFormat), ParameterRole.Keyed,
                p.IsParams, kind == CallKind.Extension && p.Ordinal == 0, null)).ToEquatableArray();
            var typeParameters = target.TypeParameters.Select(tp => new TypeParameterModel(tp.Name, Parser.ConstraintClause(tp))).ToEquatableArray();
            imports.Add(new ImportModel(docId, target.Name, exportType + "." + export.Name, kind,
                target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                target.ReturnType.ToDisplayString(ShapeBuilder.TypeFormat), typeParameters, parameters));
        }
        return imports.ToArray();
    }

    /// <summary>The method a documentation id names, searched in the assembly that exported it.</summary>
    private static IMethodSymbol? FindMethod(IAssemblySymbol assembly, string docId)
    {
        // "M:Namespace.Type.Nested.Method``1(System.String)": the containing type is everything before the last '.' ahead of the name.
        if (!docId.StartsWith("M:", System.StringComparison.Ordinal))
        {
            return null;
        }
        int paren = docId.IndexOf('(');
        string path = paren < 0 ? docId.Substring(2) : docId.Substring(2, paren - 2);
        int generic = path.IndexOf("``", System.StringComparison.Ordinal);
        string withoutArity = generic < 0 ? path : path.Substring(0, generic);
        int dot = withoutArity.LastIndexOf('.');
        if (dot < 0)
        {
            return null;
        }
        string typeName = withoutArity.Substring(0, dot);
        string methodName = withoutArity.Substring(dot + 1);
        // A nested type's metadata name separates it from its container with '+': try the dots from the right.
        INamedTypeSymbol? type = assembly.GetTypeByMetadataName(typeName);
        char[] name = typeName.ToCharArray();
        for (int i = name.Length - 1; type is null && i > 0; i--)
        {
            if (name[i] == '.')
            {
                name[i] = '+';
                type = assembly.GetTypeByMetadataName(new string(name));
            }
        }
        return type?.GetMembers(methodName).OfType<IMethodSymbol>().FirstOrDefault(m => m.GetDocumentationCommentId() == docId);
    }
}
