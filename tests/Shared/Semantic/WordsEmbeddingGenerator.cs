using Microsoft.Extensions.AI;

namespace LlmCache.Testing;

/// <summary>
/// A deterministic embedding for flow tests: each lower-cased word adds one to a hashed dimension, so
/// two texts' cosine similarity is their share of words. Real meaning is measured with MiniLM elsewhere.
/// </summary>
public sealed class WordsEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;
    private int _inputs;

    public int Calls => Volatile.Read(ref _calls);

    public int Inputs => Volatile.Read(ref _inputs);

    public bool Fail { get; set; }

    public static float[] Embed(string text)
    {
        var vector = new float[512];
        foreach (string word in text.ToLowerInvariant().Split([' ', '?', '!', '.', ',', '"'], StringSplitOptions.RemoveEmptyEntries))
        {
            uint hash = 2166136261;
            foreach (char c in word)
            {
                hash = (hash ^ c) * 16777619;
            }
            vector[hash % 512] += 1;
        }
        return vector;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (Fail)
        {
            throw new HttpRequestException("embedding service down");
        }
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string value in values)
        {
            Interlocked.Increment(ref _inputs);
            result.Add(new Embedding<float>(Embed(value)) { ModelId = "words" });
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("words", null, "words", 512)
        : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
