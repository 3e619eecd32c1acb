using LlmCache.Tests.Correctness;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Embeddings;

/// <summary>An [LlmCached] embedding method: it takes EmbeddingGenerationOptions and returns embeddings.</summary>
public sealed class EmbeddingService(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;

    public int Calls;

    [LlmCached(Ttl = "1h")]
    public Task<GeneratedEmbeddings<Embedding<float>>> EmbedAsync(string[] inputs, EmbeddingGenerationOptions? options = null)
    {
        int call = Interlocked.Increment(ref Calls);
        int dimensions = options?.Dimensions ?? 3;
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Select(i =>
            new Embedding<float>(Enumerable.Range(0, dimensions).Select(d => (float)(i.Length + d + call)).ToArray()) { ModelId = options?.ModelId ?? "m" }))
        {
            Usage = new UsageDetails { InputTokenCount = inputs.Length, TotalTokenCount = inputs.Length },
        };
        return Task.FromResult(result);
    }

    [LlmCached(Ttl = "1h")]
    public Task<ReadOnlyMemory<float>> VectorAsync(string input, EmbeddingGenerationOptions? options = null)
    {
        int call = Interlocked.Increment(ref Calls);
        return Task.FromResult(new ReadOnlyMemory<float>([input.Length, call, options?.Dimensions ?? 0]));
    }

    public LlmCacheRuntime Runtime => _runtime;
}

public sealed class EmbeddingMethodTests
{
    [Fact]
    public async Task GeneratedEmbeddings_AreCached_KeyedByTheOptions_AndReadBackFromATier()
    {
        var tier = new DictionaryTier();
        var first = new EmbeddingService(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }));
        GeneratedEmbeddings<Embedding<float>> a = await first.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 4 });
        GeneratedEmbeddings<Embedding<float>> b = await first.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 4 });
        await first.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 5 });
        await first.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 4, ModelId = "other" });
        Assert.Equal(3, first.Calls);
        Assert.Equal(a[1].Vector.ToArray(), b[1].Vector.ToArray());
        Assert.Equal(2, b.Usage!.InputTokenCount);

        // Writing into a returned vector never reaches the cache.
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(b[0].Vector).Span[0] = -1;
        GeneratedEmbeddings<Embedding<float>> c = await first.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 4 });
        Assert.Equal(a[0].Vector.ToArray(), c[0].Vector.ToArray());

        var second = new EmbeddingService(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }));
        GeneratedEmbeddings<Embedding<float>> fromTier = await second.EmbedAsync(["hello", "world!"], new EmbeddingGenerationOptions { Dimensions = 4 });
        Assert.Equal(0, second.Calls);
        Assert.Equal(2, fromTier.Count);
        Assert.Equal(a[0].Vector.ToArray(), fromTier[0].Vector.ToArray());
        Assert.Equal(a[1].Vector.ToArray(), fromTier[1].Vector.ToArray());
        Assert.Equal("m", fromTier[0].ModelId);
        Assert.Equal(2, fromTier.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task AVectorResult_IsCached_AndReadBackFromATier()
    {
        var tier = new DictionaryTier();
        var first = new EmbeddingService(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }));
        ReadOnlyMemory<float> a = await first.VectorAsync("abc", new EmbeddingGenerationOptions { Dimensions = 8 });
        ReadOnlyMemory<float> b = await first.VectorAsync("abc", new EmbeddingGenerationOptions { Dimensions = 8 });
        Assert.Equal(1, first.Calls);
        Assert.Equal(a.ToArray(), b.ToArray());
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(b).Span[0] = -1;
        Assert.Equal(a.ToArray(), (await first.VectorAsync("abc", new EmbeddingGenerationOptions { Dimensions = 8 })).ToArray());

        var second = new EmbeddingService(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }));
        Assert.Equal(a.ToArray(), (await second.VectorAsync("abc", new EmbeddingGenerationOptions { Dimensions = 8 })).ToArray());
        Assert.Equal(0, second.Calls);
    }
}
