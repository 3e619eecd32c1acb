using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// The types the parser asks about, looked up once per compilation: a metadata-name lookup searches
/// every reference, and a large project asks for each of hundreds of methods.
/// </summary>
internal sealed class KnownTypes
{
    private static readonly ConditionalWeakTable<Compilation, KnownTypes> s_cache = new();

    private KnownTypes(Compilation compilation)
    {
        KeyWritable = compilation.GetTypeByMetadataName("LlmCache.ICacheKeyWritable");
        Runtime = compilation.GetTypeByMetadataName("LlmCache.LlmCacheRuntime");
        Comparable = compilation.GetTypeByMetadataName("System.IComparable`1");
        CacheKey = compilation.GetTypeByMetadataName("LlmCache.CacheKeyAttribute");
        NotKeyed = compilation.GetTypeByMetadataName("LlmCache.NotKeyedAttribute");
    }

    public INamedTypeSymbol? KeyWritable { get; }

    public INamedTypeSymbol? Runtime { get; }

    public INamedTypeSymbol? Comparable { get; }

    /// <summary>[CacheKey]: instance state that enters the key.</summary>
    public INamedTypeSymbol? CacheKey { get; }

    /// <summary>[NotKeyed]: instance state declared not to change answers.</summary>
    public INamedTypeSymbol? NotKeyed { get; }

    public static KnownTypes For(Compilation compilation) => s_cache.GetValue(compilation, static c => new KnownTypes(c));
}
