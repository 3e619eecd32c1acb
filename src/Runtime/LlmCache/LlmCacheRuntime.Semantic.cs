using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache;

// The semantic level: a call of a [LlmCached(Semantic = ...)] method whose exact key misses in memory
// embeds its compared text (the embedding itself cached exactly), searches the index inside its exact
// partition, checks the best candidates against the guards, and serves the candidate's entry, read by
// its own key like any other, so expiry, freshness controls and removals apply unchanged. Nothing
// found: the call goes on exactly as for any method, and its stored answer joins the index.
public sealed partial class LlmCacheRuntime
{
    private const int SemanticCandidates = 8;
    private SemanticLevel? _semantic;
    private int _semanticResolved;
    private readonly PendingWrites _semanticWrites = new();

    /// <summary>Where a runtime built by dependency injection finds the application's embedding generator (resolved on the first semantic call).</summary>
    internal Func<IEmbeddingGenerator<string, Embedding<float>>?>? EmbeddingGeneratorSource { get; set; }

    /// <summary>Serves a <c>Task&lt;T&gt;</c> method declared <see cref="LlmCachedAttribute.Semantic"/> (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<T> GetOrCreateSemanticTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, Task<T>> factory, CacheControl? control,
        KeyBuilder<TState> writePartition, SemanticTextOf<TState> textOf, CancellationToken cancellationToken)
    {
        CacheControl? effective = Effective(control);
        if (!_keys.TryBuild(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return RefuseUncached(method, effective) is { } refused ? Task.FromException<T>(refused) : factory(state, cancellationToken);
        }
        if (TryHit(key, effective, out T? hit, out _))
        {
            return Task.FromResult(hit!);
        }
        return SemanticCoreAsync(key, state, writeTenant, writePartition, textOf, (State: state, Factory: factory),
            static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), effective, SameKey(key, method, state, writeKey, writeTenant, effective),
            cancellationToken).AsTask();
    }

    /// <summary>Serves a <c>ValueTask&lt;T&gt;</c> method declared <see cref="LlmCachedAttribute.Semantic"/> (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<T> GetOrCreateSemanticValueTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, ValueTask<T>> factory, CacheControl? control,
        KeyBuilder<TState> writePartition, SemanticTextOf<TState> textOf, CancellationToken cancellationToken)
    {
        CacheControl? effective = Effective(control);
        if (!_keys.TryBuild(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return RefuseUncached(method, effective) is { } refused ? ValueTask.FromException<T>(refused) : factory(state, cancellationToken);
        }
        if (TryHit(key, effective, out T? hit, out _))
        {
            return new ValueTask<T>(hit!);
        }
        return SemanticCoreAsync(key, state, writeTenant, writePartition, textOf, (State: state, Factory: factory),
            static (s, ct) => s.Factory(s.State, ct), effective, SameKey(key, method, state, writeKey, writeTenant, effective), cancellationToken);
    }

    /// <summary>The semantic level for calls of <paramref name="settings"/>'s method now, or null when the call is to be cached exactly.</summary>
    private SemanticLevel? SemanticFor(LlmCachedMethod.KeySettings settings, CacheControl? control)
    {
        // Replay (only recorded answers), or semantic caching off: exact. (A no-cache call is not
        // answered semantically, but its fresh answer still joins the index.)
        if (Replaying || Options.Semantic.Mode == SemanticMode.Off)
        {
            return null;
        }
        if (Volatile.Read(ref _semanticResolved) == 0)
        {
            ResolveSemantic();
        }
        if (_semantic is null && _recorder.Once("semantic-no-generator:" + settings.Method.Id))
        {
            Log.SemanticWithoutGenerator(_recorder.Logger, settings.Method.Id);
        }
        return _semantic;
    }

    private void ResolveSemantic()
    {
        lock (_semanticWrites)
        {
            if (_semanticResolved != 0)
            {
                return;
            }
            try
            {
                IEmbeddingGenerator<string, Embedding<float>>? generator = Options.Semantic.EmbeddingGenerator ?? EmbeddingGeneratorSource?.Invoke();
                if (generator is not null)
                {
                    ISemanticIndex index = Options.Semantic.Index ?? new EmbeddedSemanticIndex(
                        Options.Tiers.OfType<ISemanticIndexLog>().LastOrDefault(), Options.Semantic.MaxEntriesPerPartition,
                        Options.KeySecret is { } secret ? SigningKey(secret) : null, _time,
                        ex =>
                        {
                            if (_recorder.Once("semantic-log-failed"))
                            {
                                Log.SemanticLogFailed(_recorder.Logger, ex);
                            }
                        }) { LogTimeout = Options.TierResilience.Timeout };
                    // Embeddings are cached exactly, by this runtime: a repeated question costs no embedding call.
                    _semantic = new SemanticLevel(new LlmCacheEmbeddingGenerator<string, Embedding<float>>(generator, this,
                        new LlmCacheEmbeddingGeneratorOptions { Tags = ["llmcache-semantic-embeddings"] }), index);
                }
            }
            finally
            {
                Volatile.Write(ref _semanticResolved, 1);
            }
        }
    }

    private async ValueTask<T> SemanticCoreAsync<TState, TArgs, T>(CallKey key, TState state, KeyBuilder<TState>? writeTenant,
        KeyBuilder<TState> writePartition, SemanticTextOf<TState> textOf, TArgs args, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        CacheControl? control, Func<CallKey, bool>? sameKey, CancellationToken cancellationToken)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        if (SemanticFor(settings, control) is not { } semantic || !_store.CanCache<T>(settings))
        {
            return await GetOrCreateCoreAsync(key, args, invoke, control, sameKey, cancellationToken).ConfigureAwait(false);
        }
        long started = Stopwatch.GetTimestamp();
        string? partition = null;
        float[]? vector = null;
        SemanticFeatures? features = null;
        (CallKey Key, CacheEntry<T> Entry, double Similarity)? found = null;
        string exactKey = key.ToKeyString();
        try
        {
            string? text = textOf(in state);
            if (!string.IsNullOrWhiteSpace(text))
            {
                CallKey partitionKey = _keys.Build(settings, in state, writePartition, writeTenant, marks: null, out bool passThrough);
                if (!passThrough)
                {
                    partition = partitionKey.ToKeyString();
                    features = SemanticFeatures.Of(text);
                    vector = await semantic.EmbedAsync(text, cancellationToken).ConfigureAwait(false);
                    if (control is not { NoCache: true })
                    {
                        found = await FindSemanticAsync<T>(semantic, key, exactKey, partition, vector, features, control, cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The semantic level is the cache's: its failure leaves the call to the exact path.
            _recorder.Error(settings, "semantic", ex);
            partition = null;
        }

        if (found is ({ } matchedKey, { } matchedEntry, double similarity))
        {
            if (Options.Semantic.Mode == SemanticMode.On && _store.TryCopy(settings, matchedEntry.Value, out T copy))
            {
                _recorder.SemanticHit(key, matchedKey, started, similarity, UsageReader<T>.Of(matchedEntry.Value));
                return copy;
            }
        }

        T value = await GetOrCreateCoreAsync(key, args, invoke, control, sameKey, cancellationToken).ConfigureAwait(false);
        if (found is ({ } shadowKey, { } shadowEntry, double shadowSimilarity))
        {
            bool agreed = SafeAgree(shadowEntry.Value, value);
            _recorder.SemanticShadow(key, shadowKey, shadowSimilarity, agreed);
            LlmCacheScope.CurrentProbe?.AnnotateLast(CallRecorder.KeyHash(key), shadowSimilarity, CallRecorder.KeyHash(shadowKey));
        }
        if (partition is not null && vector is not null && features is not null && control is not { NoStore: true }
            && _store.TryGetLocal(key, null, out CacheEntry<T>? stored))
        {
            try
            {
                // The answer now stored joins the index (in the background: the caller has its answer).
                long expires = stored.ExpiresUtcTicks >= DateTimeOffset.MaxValue.UtcTicks - settings.FailSafe.Ticks
                    ? DateTimeOffset.MaxValue.UtcTicks
                    : stored.ExpiresUtcTicks + settings.FailSafe.Ticks;
                var entry = new SemanticIndexEntry(exactKey, vector, features.Encode(), AnswerHash(stored.Value),
                    new DateTimeOffset(expires, TimeSpan.Zero));
                _semanticWrites.Track(semantic.Index.AddAsync(partition, entry, CancellationToken.None).AsTask(),
                    ex => _recorder.Error(settings, "semantic-index", ex));
            }
            catch (Exception ex)
            {
                // A custom index that throws synchronously, an answer that cannot be hashed: the caller still has its answer.
                _recorder.Error(settings, "semantic-index", ex);
            }
        }
        return value;

        bool SafeAgree(T stored, T fresh)
        {
            try
            {
                return Options.Semantic.AnswersAgree is { } agree ? agree(stored, fresh) : SameAnswer(stored, fresh);
            }
            catch (Exception ex)
            {
                _recorder.Error(settings, "semantic-agree", ex);
                return false;
            }
        }
    }

    /// <summary>
    /// The best stored call of the partition that may answer this one: over the similarity threshold,
    /// agreeing on every guard, ahead of any differently answered candidate by the margin, and whose
    /// entry is servable to this call. Null when there is none, or when the best is this very key (the
    /// exact path reads it).
    /// </summary>
    private async ValueTask<(CallKey, CacheEntry<T>, double)?> FindSemanticAsync<T>(SemanticLevel semantic, CallKey key, string exactKey,
        string partition, float[] vector, SemanticFeatures features, CacheControl? control, CancellationToken cancellationToken)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        SemanticCacheOptions options = Options.Semantic;
        double threshold = settings.Method.Similarity ?? options.Similarity;
        SemanticGuards guards = options.Guards;
        IReadOnlyList<SemanticCandidate> candidates = await semantic.Index.SearchAsync(partition, vector, SemanticCandidates, cancellationToken)
            .ConfigureAwait(false);
        // Each candidate's guard verdict against this call, worked out once (the margin compares them
        // pairwise): Readable false for features that cannot be read, Refused the guard that disagrees.
        var verdicts = new (bool Readable, SemanticGuards? Refused)[candidates.Count];
        for (int c = 0; c < candidates.Count; c++)
        {
            verdicts[c] = SemanticFeatures.Decode(candidates[c].Entry.Features) is { } theirs ? (true, features.Disagreement(theirs, guards)) : (false, null);
        }
        for (int i = 0; i < candidates.Count; i++)
        {
            SemanticCandidate candidate = candidates[i];
            if (candidate.Similarity < threshold)
            {
                return null; // best first: nothing further is close enough
            }
            if (candidate.Entry.EntryKey == exactKey)
            {
                return null; // this very call was stored: the exact path serves it
            }
            if (!verdicts[i].Readable)
            {
                continue;
            }
            if (verdicts[i].Refused is { } guard)
            {
                _recorder.SemanticRejected(settings, guard);
                continue;
            }
            if ((guards & SemanticGuards.Margin) != 0)
            {
                // Any other candidate the guards accept, with another answer, must trail by the margin.
                bool ambiguous = false;
                for (int j = 0; j < candidates.Count; j++)
                {
                    if (j != i && candidates[j].Entry.AnswerHash != candidate.Entry.AnswerHash
                        && candidates[j].Similarity > candidate.Similarity - options.Margin
                        && verdicts[j] is (true, null))
                    {
                        ambiguous = true;
                        break;
                    }
                }
                if (ambiguous)
                {
                    _recorder.SemanticRejected(settings, SemanticGuards.Margin);
                    return null;
                }
            }
            // The candidate's own key: the same method, configuration and tenant as this call.
            if (!_keys.TryParse(candidate.Entry.EntryKey, out CallKey matched) || !ReferenceEquals(matched.Settings, settings)
                || matched.Tenant != key.Tenant || matched.HasTenant != key.HasTenant)
            {
                continue;
            }
            CacheEntry<T>? entry = null;
            if (!_store.TryGetLocal(matched, control, out entry) && HasSecondLevel)
            {
                entry = await _store.ReadServableAsync<T>(matched, candidate.Entry.EntryKey, control, cancellationToken).ConfigureAwait(false);
            }
            if (entry is null)
            {
                // Expired, removed (by key, tag, tenant or namespace) or never stored: the index forgets it.
                await semantic.Index.RemoveAsync(partition, candidate.Entry.EntryKey, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return (matched, entry, candidate.Similarity);
        }
        return null;
    }

    /// <summary>Whether two answers say the same: equal text for strings and chat responses, equal JSON otherwise.</summary>
    private bool SameAnswer<T>(T stored, T fresh) => (stored, fresh) switch
    {
        (string a, string b) => Normalise(a) == Normalise(b),
        (ChatResponse a, ChatResponse b) => Normalise(a.Text) == Normalise(b.Text),
        _ => AnswerHash(stored) == AnswerHash(fresh),
    };

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>A hash of an answer's JSON (its text for strings and chat responses), for the margin guard.</summary>
    private ulong AnswerHash<T>(T value)
    {
        byte[] bytes = value switch
        {
            string text => System.Text.Encoding.UTF8.GetBytes(Normalise(text)),
            ChatResponse response => System.Text.Encoding.UTF8.GetBytes(Normalise(response.Text)),
            _ => JsonSerializer.SerializeToUtf8Bytes(value, ValueSerializerOptions),
        };
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    /// <summary>Index writes still in flight (flushed by <see cref="FlushAsync"/>).</summary>
    private Task FlushSemanticAsync() => _semanticWrites.FlushAsync(FlushLimit);

    /// <summary>The embedding generator (cached) and the index of this runtime's semantic methods.</summary>
    private sealed class SemanticLevel(IEmbeddingGenerator<string, Embedding<float>> generator, ISemanticIndex index)
    {
        public ISemanticIndex Index { get; } = index;

        /// <summary>The text's embedding, L2-normalised (cosine similarity is then a dot product).</summary>
        public async ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
        {
            GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync([text], cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (embeddings.Count != 1)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one input.");
            }
            float[] vector = embeddings[0].Vector.ToArray();
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
            if (!(norm > 0) || !float.IsFinite(norm))
            {
                throw new InvalidOperationException("The embedding generator returned a vector without a direction.");
            }
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
            return vector;
        }
    }

    /// <summary>Background writes the runtime waits for on flush; their failures are reported, never thrown.</summary>
    private sealed class PendingWrites
    {
        private readonly HashSet<Task> _pending = [];

        public void Track(Task write, Action<Exception> failed)
        {
            if (write.IsCompleted)
            {
                if (write.Exception is { } done)
                {
                    failed(done.GetBaseException());
                }
                return;
            }
            lock (_pending)
            {
                _pending.Add(write);
            }
            _ = write.ContinueWith(t =>
            {
                lock (_pending)
                {
                    _pending.Remove(t);
                }
                if (t.Exception is { } error)
                {
                    failed(error.GetBaseException());
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public async Task FlushAsync(TimeSpan limit)
        {
            Task[] pending;
            lock (_pending)
            {
                pending = [.. _pending];
            }
            if (pending.Length > 0)
            {
                await Task.WhenAny(Task.WhenAll(pending), Task.Delay(limit)).ConfigureAwait(false);
            }
        }
    }
}
