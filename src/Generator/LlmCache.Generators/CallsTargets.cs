using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Reads <c>[assembly: LlmCacheCalls(typeof(T), "Method", ...)]</c>: which methods of types we do not
/// own are cached, with which settings. Shared by the generator (models, call sites) and the analyzer
/// (what is wrong with an attribute), so both name the same targets.
/// </summary>
internal static class CallsTargets
{
    public const string AttributeName = "LlmCache.LlmCacheCallsAttribute";

    private static readonly ConditionalWeakTable<Compilation, Dictionary<string, AttributeData>> s_targets = new();

    /// <summary>One attribute's methods, or the reason it names none that can be cached.</summary>
    public static ImmutableArray<IMethodSymbol> Resolve(AttributeData attribute, out string? problem)
    {
        problem = null;
        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type
            || attribute.ConstructorArguments[1].Value is not string name)
        {
            problem = "it needs a type and a method name";
            return ImmutableArray<IMethodSymbol>.Empty;
        }
        if (type.IsUnboundGenericType || type.TypeKind == TypeKind.Error)
        {
            problem = type.TypeKind == TypeKind.Error ? $"'{type.ToDisplayString()}' is not a known type"
                : $"'{type.ToDisplayString()}' is an open generic type, whose methods cannot be intercepted";
            return ImmutableArray<IMethodSymbol>.Empty;
        }
        string display = type.ToDisplayString() + "." + name;
        var members = new List<ISymbol>();
        for (INamedTypeSymbol? level = type; level is not null && members.Count == 0; level = level.BaseType)
        {
            members.AddRange(level.GetMembers(name));
        }
        if (members.Count == 0)
        {
            problem = $"'{type.ToDisplayString()}' has no member named '{name}'";
            return ImmutableArray<IMethodSymbol>.Empty;
        }
        if (members.FirstOrDefault(m => m is not IMethodSymbol) is { } other)
        {
            problem = $"'{display}' is {KindOf(other)}; only method calls can be cached";
            return ImmutableArray<IMethodSymbol>.Empty;
        }
        IEnumerable<IMethodSymbol> methods = members.OfType<IMethodSymbol>()
            .Where(m => m.MethodKind == MethodKind.Ordinary && m.DeclaredAccessibility == Accessibility.Public);
        TypedConstant? selector = attribute.NamedArguments.FirstOrDefault(a => a.Key == "ParameterTypes").Value is { Kind: TypedConstantKind.Array, IsNull: false } array
            ? array : null;
        if (selector is { } types)
        {
            ITypeSymbol?[] wanted = types.Values.Select(v => v.Value as ITypeSymbol).ToArray();
            methods = methods.Where(m => m.Parameters.Length == wanted.Length
                && m.Parameters.Select((p, i) => SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, wanted[i]?.OriginalDefinition)).All(x => x));
            if (!methods.Any())
            {
                problem = $"no overload of '{display}' takes ({string.Join(", ", wanted.Select(t => t?.ToDisplayString() ?? "?"))})";
                return ImmutableArray<IMethodSymbol>.Empty;
            }
        }
        // A protocol method (raw BinaryContent in, an untyped ClientResult out) has no model to key or keep.
        ImmutableArray<IMethodSymbol> cacheable = methods
            .Where(m => IsAwaitableResult(m.ReturnType) && !m.Parameters.Any(p => p.Type.ToDisplayString() == "System.ClientModel.BinaryContent"))
            .ToImmutableArray();
        if (cacheable.IsEmpty)
        {
            problem = (selector is null ? $"no overload of '{display}'" : $"the overload of '{display}' that ParameterTypes selects")
                + (selector is null ? " returns" : " does not return") + " Task<T>, ValueTask<T> or IAsyncEnumerable<T>";
        }
        return cacheable;
    }

    /// <summary>The methods every <c>LlmCacheCalls</c> attribute of the compilation caches, by documentation id, with their attribute.</summary>
    public static Dictionary<string, AttributeData> Of(Compilation compilation) => s_targets.GetValue(compilation, static c =>
    {
        var targets = new Dictionary<string, AttributeData>(System.StringComparer.Ordinal);
        foreach (AttributeData attribute in c.Assembly.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != AttributeName)
            {
                continue;
            }
            foreach (IMethodSymbol method in Resolve(attribute, out _))
            {
                if (method.OriginalDefinition.GetDocumentationCommentId() is { } docId && !targets.ContainsKey(docId))
                {
                    targets[docId] = attribute; // the first attribute naming a method wins (see Owns)
                }
            }
        }
        return targets;
    });

    /// <summary>
    /// Whether <paramref name="attribute"/> is the one that caches <paramref name="method"/>: where two attributes
    /// name a method, the first one's settings apply and the second has no part in it (one interceptor per call).
    /// </summary>
    public static bool Owns(Compilation compilation, AttributeData attribute, IMethodSymbol method) =>
        method.OriginalDefinition.GetDocumentationCommentId() is { } docId
        && Of(compilation).TryGetValue(docId, out AttributeData? owner)
        && (ReferenceEquals(owner, attribute)
            || owner.ApplicationSyntaxReference is { } first && attribute.ApplicationSyntaxReference is { } second
                && first.SyntaxTree == second.SyntaxTree && first.Span == second.Span);

    /// <summary>The generator's entry: models of every method the attributes on this compilation unit name.</summary>
    public static EquatableArray<MethodModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var models = new List<MethodModel>();
        Compilation compilation = context.SemanticModel.Compilation;
        foreach (AttributeData attribute in context.Attributes)
        {
            foreach (IMethodSymbol method in Resolve(attribute, out _))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Owns(compilation, attribute, method)
                    && Parser.Analyze(method.OriginalDefinition, attribute, compilation, null, cancellationToken, external: true) is { } model)
                {
                    models.Add(model);
                }
            }
        }
        return models.ToEquatableArray();
    }

    private static string KindOf(ISymbol member) => member.Kind switch
    {
        SymbolKind.Event => "an event",
        SymbolKind.NamedType => "a nested type",
        _ => "a " + member.Kind.ToString().ToLowerInvariant(),
    };

    private static bool IsAwaitableResult(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
        && named.TypeArguments[0].ToDisplayString() != "System.ClientModel.ClientResult"
        && named.OriginalDefinition.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"
            or "System.Collections.Generic.IAsyncEnumerable<T>";
}
