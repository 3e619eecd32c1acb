using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmCache.Testing;
using Microsoft.Extensions.AI;

namespace LlmCache.Semantic.Tests;

/// <summary>One labelled pair of the evaluation set.</summary>
public sealed record EvaluationPair(
    [property: JsonPropertyName("stored")] string Stored,
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("kind")] string Kind)
{
    /// <summary>Whether the query should be answered by the stored call.</summary>
    public bool IsParaphrase => Label == "paraphrase";
}

/// <summary>
/// The evaluation set and every text's MiniLM embedding, computed once (one text per call, as a cache
/// embeds one question per request) and served to every configuration's runtime from memory.
/// </summary>
public sealed class EvaluationFixture : IDisposable
{
    private readonly MiniLmEmbeddingGenerator _model = new();

    public EvaluationFixture()
    {
        string json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "EvaluationSet.json"));
        Pairs = JsonSerializer.Deserialize<Set>(json)!.Pairs;
        string[] texts = [.. Pairs.SelectMany(p => new[] { p.Stored, p.Query }).Distinct(StringComparer.Ordinal)];
        _model.GenerateAsync(["warm-up sentence for the model"]).GetAwaiter().GetResult();
        var vectors = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        foreach (string text in texts)
        {
            vectors[text] = _model.GenerateAsync([text]).GetAwaiter().GetResult()[0].Vector;
        }
        watch.Stop();
        Texts = texts.Length;
        MillisecondsPerEmbedding = watch.Elapsed.TotalMilliseconds / texts.Length;
        Embeddings = new Memoised(vectors);
        _vectors = vectors;
    }

    private readonly Dictionary<string, ReadOnlyMemory<float>> _vectors;

    /// <summary>The cosine similarity of a pair's texts (the vectors are normalised).</summary>
    public double Similarity(EvaluationPair pair)
    {
        ReadOnlySpan<float> a = _vectors[pair.Stored].Span, b = _vectors[pair.Query].Span;
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }
        return sum;
    }

    /// <summary>The labelled pairs.</summary>
    public IReadOnlyList<EvaluationPair> Pairs { get; }

    /// <summary>How many distinct texts were embedded.</summary>
    public int Texts { get; }

    /// <summary>The mean time of one embedding call of one text.</summary>
    public double MillisecondsPerEmbedding { get; }

    /// <summary>A generator that answers from the embeddings computed once.</summary>
    public Memoised Embeddings { get; }

    public void Dispose() => _model.Dispose();

    private sealed record Set([property: JsonPropertyName("pairs")] List<EvaluationPair> Pairs);

    /// <summary>Serves the MiniLM vectors computed once; counts what it is asked.</summary>
    public sealed class Memoised(Dictionary<string, ReadOnlyMemory<float>> vectors) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private long _inputs;

        /// <summary>How many texts were asked for, over every runtime.</summary>
        public long Inputs => Interlocked.Read(ref _inputs);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (string value in values)
            {
                Interlocked.Increment(ref _inputs);
                result.Add(new Embedding<float>(vectors[value]) { ModelId = MiniLmEmbeddingGenerator.ModelId });
            }
            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
