using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// An embedding generator that serves <see cref="IEmbeddingGenerator{TInput, TEmbedding}.GenerateAsync"/>
/// through an <see cref="LlmCacheRuntime"/>, one entry per input: an input is keyed by the inner
/// generator's provider, endpoint, default model and dimensions, the request's options and the input
/// itself. A batch whose inputs are partly cached asks the inner generator once, for the others only
/// (each distinct input once, in the order they came); the answer lists an embedding per input, in
/// input order. Embeddings served from the cache carry <see cref="LlmCacheProperties.Hit"/> = <c>true</c>
/// in their <c>AdditionalProperties</c>, and the answer's <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>
/// is the inner call's (null when every input was a hit).
/// </summary>
/// <typeparam name="TInput">
/// The type of the inputs: a string, or any type the key writer can write (a <see cref="DataContent"/>,
/// a record …). An input that cannot be keyed is computed uncached (counted, logged once).
/// </typeparam>
/// <typeparam name="TEmbedding">The type of the embeddings.</typeparam>
public sealed class LlmCacheEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private static readonly string[] s_keyedParameters = ["generator", "input", "options"];

    // Written in place of absent options, so that null and empty options are one request.
    private static readonly EmbeddingGenerationOptions s_noOptions = new();

    private readonly LlmCacheRuntime _runtime;
    private readonly LlmCachedMethod _method;
    private readonly string? _provider;
    private readonly string? _endpoint;
    private readonly string? _model;
    private readonly int? _dimensions;

    /// <summary>Wraps <paramref name="innerGenerator"/>.</summary>
    /// <param name="innerGenerator">The generator that computes the inputs the cache does not hold.</param>
    /// <param name="runtime">The runtime that keeps the entries.</param>
    /// <param name="options">TTL, namespace and tags; null for the defaults.</param>
    public LlmCacheEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, LlmCacheRuntime runtime,
        LlmCacheEmbeddingGeneratorOptions? options = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        options ??= new LlmCacheEmbeddingGeneratorOptions();
        EmbeddingGeneratorMetadata? metadata = innerGenerator.GetService<EmbeddingGeneratorMetadata>();
        _provider = metadata?.ProviderName;
        // Two endpoints of one provider (two deployments, a proxy and the real service) may embed differently.
        _endpoint = metadata?.ProviderUri?.AbsoluteUri;
        _model = metadata?.DefaultModelId;
        _dimensions = metadata?.DefaultModelDimensions;
        // The value types are part of the identity: a generator of Embedding<float> never reads one of Embedding<double>.
        _method = MiddlewareMethods.For("LlmCache.EmbeddingGenerator.GenerateAsync",
            [_provider, _endpoint, _model, _dimensions?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TypeNames.Of(typeof(TInput)), TypeNames.Of(typeof(TEmbedding))],
            options.Ttl, options.Namespace, [.. options.Tags ?? []], s_keyedParameters);
    }

    /// <summary>The method descriptor of this generator's entries (id, TTL, tags); each input is an entry of it.</summary>
    public LlmCachedMethod Method => _method;

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        (options, CacheControl? control) = EmbeddingGenerationOptionsCacheControl.Take(options);
        LlmCacheRuntime.ItemBatch<TEmbedding> batch = _runtime.BeginItems<TEmbedding>(_method, control);
        // The keys are written once and the inner generator reads the inputs again: a one-shot sequence is read once, here.
        IList<TInput> inputs = values as IList<TInput> ?? values.ToList();
        int count = inputs.Count;

        // 1. One entry per distinct keyed input; -1 for an input computed uncached.
        var entryOf = new int[count];
        var keys = new List<CallKey>();
        Dictionary<CallKey, int>? seen = null;
        for (int i = 0; i < count; i++)
        {
            if (!batch.TryKey(new Item(this, inputs[i], options), s_writeKey, out CallKey key))
            {
                entryOf[i] = -1;
                continue;
            }
            seen ??= new Dictionary<CallKey, int>();
            if (!seen.TryGetValue(key, out int entry))
            {
                entry = keys.Count;
                keys.Add(key);
                seen.Add(key, entry);
            }
            entryOf[i] = entry;
        }
        if (keys.Count == 0)
        {
            // Nothing to cache (switched off, bypassed, nothing keyable, an empty batch): the call as it came.
            return await InnerGenerator.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        // 2. What the cache holds.
        LlmCacheRuntime.ItemRead<TEmbedding>[] found = await batch.ReadAllAsync(keys, cancellationToken).ConfigureAwait(false);

        // 3. The rest, in input order, each distinct keyed input once.
        var misses = new List<TInput>();
        var missOf = new int[count];
        var missOfEntry = new int[keys.Count];
        Array.Fill(missOfEntry, -1);
        int keyedMisses = 0;
        for (int i = 0; i < count; i++)
        {
            int entry = entryOf[i];
            if (entry < 0)
            {
                missOf[i] = misses.Count;
                misses.Add(inputs[i]);
            }
            else if (found[entry].Hit)
            {
                missOf[i] = -1;
            }
            else
            {
                if (missOfEntry[entry] < 0)
                {
                    missOfEntry[entry] = misses.Count;
                    misses.Add(inputs[i]);
                    keyedMisses++;
                }
                missOf[i] = missOfEntry[entry];
            }
        }

        GeneratedEmbeddings<TEmbedding>? computed = null;
        if (misses.Count > 0)
        {
            batch.Computing(keyedMisses);
            long started = Stopwatch.GetTimestamp();
            // The inner generator's exceptions reach the caller as they are; nothing is stored.
            computed = await InnerGenerator.GenerateAsync(misses, options, cancellationToken).ConfigureAwait(false);
            batch.Computed(Stopwatch.GetTimestamp() - started);
            if (computed is null || computed.Count != misses.Count)
            {
                // Which embedding answers which input cannot be told: nothing is stored, and the caller
                // gets what its generator answers for the batch it asked for.
                for (int entry = 0; entry < keys.Count; entry++)
                {
                    if (missOfEntry[entry] >= 0)
                    {
                        batch.NotStored(keys[entry]);
                    }
                }
                return misses.Count == count
                    ? computed!
                    : await InnerGenerator.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            }
            for (int entry = 0; entry < keys.Count; entry++)
            {
                if (missOfEntry[entry] >= 0)
                {
                    await batch.StoreAsync(keys[entry], computed[missOfEntry[entry]], cancellationToken).ConfigureAwait(false);
                }
            }
            if (misses.Count == count)
            {
                // The inner generator answered exactly the caller's batch: its answer as it is.
                return computed;
            }
        }

        // 4. One embedding per input, in input order; a value handed out twice is copied, so no two positions share an object.
        var result = new GeneratedEmbeddings<TEmbedding>(count)
        {
            Usage = computed?.Usage,
            AdditionalProperties = computed?.AdditionalProperties,
        };
        var handedOut = new bool[keys.Count];
        var computedHandedOut = new bool[misses.Count];
        for (int i = 0; i < count; i++)
        {
            int entry = entryOf[i];
            TEmbedding embedding;
            if (missOf[i] >= 0)
            {
                embedding = computed![missOf[i]];
                if (computedHandedOut[missOf[i]])
                {
                    embedding = CopyOf(batch, keys[entry], embedding);
                }
                computedHandedOut[missOf[i]] = true;
            }
            else
            {
                embedding = found[entry].Value!;
                if (handedOut[entry])
                {
                    embedding = CopyOf(batch, keys[entry], embedding);
                }
                handedOut[entry] = true;
                // A hit is a copy made for this caller: marking it never reaches the stored entry.
                (embedding.AdditionalProperties ??= new AdditionalPropertiesDictionary())[LlmCacheProperties.Hit] = true;
            }
            result.Add(embedding);
        }
        return result;
    }

    // Only an input seen twice is copied, and only keyed inputs are deduplicated, so the key is there.
    private static TEmbedding CopyOf(LlmCacheRuntime.ItemBatch<TEmbedding> batch, CallKey key, TEmbedding embedding) =>
        batch.TryCopy(key, embedding, out TEmbedding copy) ? copy : embedding;

    private static readonly KeyBuilder<Item> s_writeKey = static (KeyWriter w, in Item item) =>
    {
        LlmCacheEmbeddingGenerator<TInput, TEmbedding> generator = item.Generator;
        w.Mark(0);
        w.WriteString(generator._provider);
        w.WriteString(generator._endpoint);
        w.WriteString(generator._model);
        if (generator._dimensions is { } dimensions)
        {
            w.WriteInt32(dimensions);
        }
        else
        {
            w.WriteNull();
        }
        w.Mark(1);
        w.WriteValue(item.Input);
        w.Mark(2);
        // Every option property is keyed (see AIKeyCoverage), by the object walker.
        w.WriteObject(item.Options ?? s_noOptions);
    };

    /// <summary>One input of a call, with what its key is written from.</summary>
    private readonly record struct Item(LlmCacheEmbeddingGenerator<TInput, TEmbedding> Generator, TInput Input, EmbeddingGenerationOptions? Options);
}
