using System.Diagnostics;

namespace LlmCache;

// Calls that carry many independent items (the inputs of an embedding batch) are cached item by item:
// each item is an entry of its own, read without running anything; the items nobody had are computed
// together by one call of the caller's and stored one by one. The key (CallKeys), the entry's
// freshness, copies, size and store policy (EntryStore) and what is reported (CallRecorder) are the
// same as for a single call, and so is the error contract: a failure of the cache is counted and
// logged, never thrown at the caller.
public sealed partial class LlmCacheRuntime
{
    /// <summary>
    /// Starts one call of <paramref name="method"/> whose items are cached one entry each, under
    /// <paramref name="control"/> combined with the ambient scope (a bad control throws here, before
    /// anything runs).
    /// </summary>
    internal ItemBatch<T> BeginItems<T>(LlmCachedMethod method, CacheControl? control) => new(this, method, Effective(control));

    /// <summary>
    /// One call's items, each cached as an entry of its own: keyed, read (a hit is recorded and handed
    /// out as a copy), then computed together by the caller and stored (each recorded as a miss).
    /// </summary>
    /// <typeparam name="T">The value of one item.</typeparam>
    internal sealed class ItemBatch<T>
    {
        // A batch of a thousand inputs must not become a thousand concurrent requests to Redis or S3.
        private const int MaxConcurrentReads = 16;

        private readonly LlmCacheRuntime _runtime;
        private readonly LlmCachedMethod _method;
        private readonly LlmCachedMethod.KeySettings _settings;
        private readonly bool _cacheable;
        private readonly long _startedTicks;
        private readonly long _started;
        private long _computeTicks;

        public ItemBatch(LlmCacheRuntime runtime, LlmCachedMethod method, CacheControl? control)
        {
            _runtime = runtime;
            _method = method;
            Control = control;
            _settings = method.SettingsFor(runtime);
            // A value type that cannot be serialized is never stored: its items are computed uncached.
            _cacheable = runtime._store.CanCache<T>(_settings);
            _startedTicks = runtime._store.Now;
            _started = Stopwatch.GetTimestamp();
        }

        /// <summary>The controls of this call: its own combined with the ambient scope's.</summary>
        public CacheControl? Control { get; }

        /// <summary>
        /// The key of one item, or false when the item must be computed uncached: the cache or the method
        /// is switched off, the call bypasses the cache, the item cannot be keyed (counted, logged once)
        /// or its values cannot be stored.
        /// </summary>
        /// <exception cref="LlmCacheMissException">In Replay, instead of false.</exception>
        public bool TryKey<TState>(in TState state, KeyBuilder<TState> writeKey, out CallKey key)
        {
            if (!_cacheable)
            {
                if (_runtime.Replaying)
                {
                    throw _runtime.NotReplayable<T>(_method);
                }
                key = default;
                return false;
            }
            if (_runtime._keys.TryBuild(_method, in state, writeKey, writeTenant: null, Control, out key))
            {
                return true;
            }
            return _runtime.RefuseUncached(_method, Control) is { } refused ? throw refused : false;
        }

        /// <summary>
        /// The item's value if the cache holds one this call may be served (memory first, then the second
        /// level): a copy of its own for the caller, recorded as a hit. A miss records nothing: the item
        /// is counted when it is computed. Only the caller's own cancellation is thrown.
        /// </summary>
        public ValueTask<ItemRead<T>> ReadAsync(CallKey key, CancellationToken cancellationToken)
        {
            if (Control is { NoCache: true })
            {
                return default;
            }
            long started = Stopwatch.GetTimestamp();
            EntryStore store = _runtime._store;
            if (store.TryGetLocal(key, Control, out CacheEntry<T>? local))
            {
                if (store.TryCopy(key.Settings, local.Value, out T copy))
                {
                    _runtime._recorder.Hit(key, started, CacheSource.Memory, default); // an item's share of a batch's usage is not known
                    return new ValueTask<ItemRead<T>>(new ItemRead<T>(true, copy));
                }
                return default;
            }
            return _runtime.HasSecondLevel ? ReadSecondLevelAsync(key, started, cancellationToken) : default;
        }

        /// <summary>
        /// Reads every key (<see cref="ReadAsync"/>), a few second-level reads at a time, and returns what
        /// was found in the order of <paramref name="keys"/>. In Replay, an item not found throws
        /// <see cref="LlmCacheMissException"/>: the batch would otherwise reach the model for it.
        /// </summary>
        public async ValueTask<ItemRead<T>[]> ReadAllAsync(IReadOnlyList<CallKey> keys, CancellationToken cancellationToken)
        {
            var found = new ItemRead<T>[keys.Count];
            List<(int Index, Task<ItemRead<T>> Read)>? pending = null;
            for (int i = 0; i < keys.Count; i++)
            {
                ValueTask<ItemRead<T>> read = ReadAsync(keys[i], cancellationToken);
                if (read.IsCompletedSuccessfully)
                {
                    found[i] = read.Result;
                    continue;
                }
                (pending ??= new List<(int, Task<ItemRead<T>>)>(MaxConcurrentReads)).Add((i, read.AsTask()));
                if (pending.Count == MaxConcurrentReads)
                {
                    await CollectAsync(pending, found).ConfigureAwait(false);
                }
            }
            if (pending is { Count: > 0 })
            {
                await CollectAsync(pending, found).ConfigureAwait(false);
            }
            if (_runtime.Replaying)
            {
                for (int i = 0; i < found.Length; i++)
                {
                    if (!found[i].Hit)
                    {
                        throw _runtime.ReplayMiss(keys[i]);
                    }
                }
            }
            return found;
        }

        private static async Task CollectAsync(List<(int Index, Task<ItemRead<T>> Read)> pending, ItemRead<T>[] found)
        {
            var reads = new Task[pending.Count];
            for (int i = 0; i < pending.Count; i++)
            {
                reads[i] = pending[i].Read;
            }
            // Every read is awaited, so a cancellation leaves none unobserved.
            await Task.WhenAll(reads).ConfigureAwait(false);
            foreach ((int index, Task<ItemRead<T>> read) in pending)
            {
                found[index] = read.Result;
            }
            pending.Clear();
        }

        private async ValueTask<ItemRead<T>> ReadSecondLevelAsync(CallKey key, long started, CancellationToken cancellationToken)
        {
            EntryStore store = _runtime._store;
            try
            {
                CacheEntry<T>? entry = await store.ReadServableAsync<T>(key, key.ToKeyString(), Control, cancellationToken).ConfigureAwait(false);
                if (entry is null || !store.TryCopy(key.Settings, entry.Value, out T copy))
                {
                    return default;
                }
                _runtime._recorder.Hit(key, started, CacheSource.Distributed, default);
                return new ItemRead<T>(true, copy);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The store reports its own failures; this is the net under everything else: a miss.
                _runtime._recorder.Error(key.Settings, "get", ex);
                return default;
            }
        }

        /// <summary><paramref name="count"/> keyed items are about to be computed: each is a miss.</summary>
        public void Computing(int count)
        {
            for (int i = 0; i < count; i++)
            {
                _runtime._recorder.MethodStarting(_settings);
            }
        }

        /// <summary>The computation of the missed items took <paramref name="elapsedTicks"/> stopwatch ticks.</summary>
        public void Computed(long elapsedTicks)
        {
            _computeTicks = elapsedTicks;
            _runtime._recorder.MethodCompleted(_settings, elapsedTicks);
        }

        /// <summary>
        /// Stores one computed item under the store policy (no-store, cancellation, size, removals made
        /// since the call started) and records its miss. What is kept is a copy: the caller keeps
        /// <paramref name="value"/>. A failure is counted and logged, never thrown.
        /// </summary>
        public async ValueTask StoreAsync(CallKey key, T value, CancellationToken cancellationToken)
        {
            bool stored = false;
            try
            {
                TimeSpan ttl = Control?.Ttl ?? key.Settings.Ttl;
                stored = await _runtime._store.StoreAsync(key, key: null, value, ttl, Control, _startedTicks, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _runtime._recorder.Error(key.Settings, "set", ex);
            }
            _runtime._recorder.Miss(key, activity: null, _started, _computeTicks, stored, Control);
        }

        /// <summary>Records the miss of a computed item that is not stored (its answer could not be matched to it).</summary>
        public void NotStored(CallKey key) => _runtime._recorder.Miss(key, activity: null, _started, _computeTicks, stored: false, Control);

        /// <summary>A copy of an item's value for one more caller; false (counted) when it cannot be copied.</summary>
        public bool TryCopy(CallKey key, T value, out T copy) => _runtime._store.TryCopy(key.Settings, value, out copy);
    }

    /// <summary>What a read of one item found: whether it was a hit, and the caller's copy of the value.</summary>
    internal readonly record struct ItemRead<T>(bool Hit, T? Value);
}
