using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache;

/// <summary>Adds the LlmCache middleware to a Microsoft.Extensions.AI embedding pipeline.</summary>
public static class LlmCacheEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Serves the pipeline's embeddings from an <see cref="LlmCacheRuntime"/>, one entry per input: the
    /// runtime given, else the one registered in the pipeline's services (<c>AddLlmCache</c>), else
    /// <see cref="LlmCacheRuntime.Default"/>. A batch with some inputs cached asks the inner generator
    /// for the others only.
    /// </summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TEmbedding">The type of the embeddings.</typeparam>
    /// <param name="builder">The embedding pipeline.</param>
    /// <param name="runtime">The runtime that keeps the entries, or null to resolve it as described above.</param>
    /// <param name="configure">Sets this generator's TTL, namespace and tags.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseLlmCache<TInput, TEmbedding>(
        this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder, LlmCacheRuntime? runtime = null,
        Action<LlmCacheEmbeddingGeneratorOptions>? configure = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LlmCacheEmbeddingGeneratorOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => new LlmCacheEmbeddingGenerator<TInput, TEmbedding>(inner,
            runtime ?? services.GetService<LlmCacheRuntime>() ?? LlmCacheRuntime.Default, options));
    }
}
