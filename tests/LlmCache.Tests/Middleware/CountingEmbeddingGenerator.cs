using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Middleware;

/// <summary>
/// A fake embedding model that records every batch it receives. Each embedding names the input it
/// was made for (<c>AdditionalProperties["input"]</c>) and the call that made it (<c>["call"]</c>,
/// and the vector's first component); the usage counts one input token per input.
/// </summary>
internal sealed class CountingEmbeddingGenerator<TInput>(Func<TInput, string> describe, string provider = "fake",
    string model = "fake-embed", int? dimensions = 3, string? endpoint = null) : IEmbeddingGenerator<TInput, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new(provider, endpoint is null ? null : new Uri(endpoint), model, dimensions);
    private readonly List<IReadOnlyList<string>> _batches = [];
    private readonly List<EmbeddingGenerationOptions?> _options = [];

    /// <summary>Every batch that reached this generator, in order, as the inputs' descriptions.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    public int Calls => Batches.Count;

    /// <summary>The options of the last request that reached this generator.</summary>
    public EmbeddingGenerationOptions? LastOptions
    {
        get
        {
            lock (_batches)
            {
                return _options.Count == 0 ? null : _options[^1];
            }
        }
    }

    /// <summary>When set, each call throws what it returns (after recording the batch).</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>When set, each call answers one embedding fewer than it was asked for.</summary>
    public bool DropsOne { get; set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        List<string> batch = values.Select(describe).ToList();
        int call;
        lock (_batches)
        {
            _batches.Add(batch);
            _options.Add(options);
            call = _batches.Count;
        }
        if (Failure is { } failure)
        {
            throw failure();
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(batch.Select((text, i) => new Embedding<float>(new float[] { call, i, text.Length })
        {
            ModelId = options?.ModelId ?? model,
            AdditionalProperties = new() { ["input"] = text, ["call"] = call },
        }))
        {
            Usage = new UsageDetails { InputTokenCount = batch.Count, TotalTokenCount = batch.Count },
        };
        if (DropsOne && result.Count > 0)
        {
            result.RemoveAt(result.Count - 1);
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

/// <summary>A string-input fake, the common case.</summary>
internal static class CountingEmbeddingGenerator
{
    public static CountingEmbeddingGenerator<string> OfText(string provider = "fake", string model = "fake-embed", int? dimensions = 3,
        string? endpoint = null) => new(static s => s, provider, model, dimensions, endpoint);
}
