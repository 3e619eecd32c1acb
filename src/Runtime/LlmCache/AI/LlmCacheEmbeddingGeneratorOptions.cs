namespace LlmCache;

/// <summary>Settings of one <see cref="LlmCacheEmbeddingGenerator{TInput, TEmbedding}"/>: what <c>[LlmCached]</c> sets on a method.</summary>
public sealed class LlmCacheEmbeddingGeneratorOptions
{
    /// <summary>How long an embedding is kept; null for the runtime's default TTL.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>A namespace of this generator's entries, so two pipelines over the same model can be kept apart; null for none.</summary>
    public string? Namespace { get; set; }

    /// <summary>Tags of this generator's entries (for invalidation by tag and for the runtime's filters).</summary>
    public string[] Tags { get; set; } = [];
}
