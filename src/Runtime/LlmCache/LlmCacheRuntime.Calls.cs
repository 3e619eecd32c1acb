using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace LlmCache;

// How one call flows: the key (CallKeys), the entry (EntryStore, which owns freshness, copies, sizes
// and the store policy) and what is reported (CallRecorder). The error contract: the method's own
// exception reaches the caller as itself, on every path; every failure of the cache means the call
// is answered by the method, uncached, and is counted and logged.
public sealed partial class LlmCacheRuntime
{
    /// <summary>Serves a <c>Task&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<T> GetOrCreateTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, Task<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = Effective(control);
        if (!_keys.TryBuild(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return RefuseUncached(method, effective) is { } refused ? Task.FromException<T>(refused) : factory(state, cancellationToken);
        }
        if (ValueCopier<T>.IsImmutable)
        {
            long started = Stopwatch.GetTimestamp();
            if (_store.TryGetLocal(key, effective, out CacheEntry<T>? entry))
            {
                _recorder.Hit(key, started, CacheSource.Memory);
                return entry.CompletedTask; // shared: neither the task nor its value can change
            }
        }
        else if (TryHit(key, effective, out T? hit))
        {
            return Task.FromResult(hit!);
        }
        return GetOrCreateCoreAsync(key, (State: state, Factory: factory),
            static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), effective, cancellationToken).AsTask();
    }

    /// <summary>Serves a <c>ValueTask&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<T> GetOrCreateValueTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, ValueTask<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = Effective(control);
        if (!_keys.TryBuild(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return RefuseUncached(method, effective) is { } refused ? ValueTask.FromException<T>(refused) : factory(state, cancellationToken);
        }
        if (TryHit(key, effective, out T? hit))
        {
            return new ValueTask<T>(hit!);
        }
        return GetOrCreateCoreAsync(key, (State: state, Factory: factory), static (s, ct) => s.Factory(s.State, ct), effective, cancellationToken);
    }

    /// <summary>
    /// Serves an <c>IAsyncEnumerable&lt;T&gt;</c> method through the cache (generated code only): a hit
    /// replays the stored items; a miss passes items to the caller as they arrive and stores them
    /// only when the stream completes and its caller had not cancelled.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IAsyncEnumerable<T> GetOrCreateStream<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = Effective(control);
        if (!_keys.TryBuild(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return RefuseUncached(method, effective) is { } refused ? Refused<T>(refused) : factory(state, cancellationToken);
        }
        return StreamCoreAsync(key, state, factory, effective, cancellationToken);
    }

    /// <summary>Computes the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string ComputeKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant) =>
        _keys.Build(method.SettingsFor(this), in state, writeKey, writeTenant, marks: null, out _).ToKeyString();

    /// <summary>Explains the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyExplanation ExplainKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant)
    {
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        int count = method.KeyedParameters.Count;
        long[] marks = new long[count + 1];
        string key = _keys.Build(settings, in state, writeKey, writeTenant, marks, out _).ToKeyString();
        var parts = new KeyPart[count];
        for (int i = 0; i < count; i++)
        {
            parts[i] = new KeyPart(method.KeyedParameters[i], marks[i + 1] - marks[i]);
        }
        return new KeyExplanation(key, method, Options.Namespace, writeTenant is not null || LlmCacheScope.CurrentTenant is not null, parts);
    }

    /// <summary>Removes the entry a call with these arguments would read (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<bool> EvictAsync<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant,
        CancellationToken cancellationToken) =>
        RemoveAsync(ComputeKey(method, in state, writeKey, writeTenant), cancellationToken);

    private CacheControl? Effective(CacheControl? control)
    {
        // A control argument is the caller's input: a bad one is the caller's error, before anything runs.
        control?.Validate();
        return ForMode(CacheControl.Combine(LlmCacheScope.CurrentControl, control));
    }

    /// <summary>The hot path: the in-process level, no key string, no await. A hit is handed out as a copy.</summary>
    private bool TryHit<T>(in CallKey key, CacheControl? control, out T? value)
    {
        long started = Stopwatch.GetTimestamp();
        if (_store.TryGetLocal(key, control, out CacheEntry<T>? entry) && _store.TryCopy(key.Settings, entry.Value, out value))
        {
            _recorder.Hit(key, started, CacheSource.Memory);
            return true;
        }
        value = default;
        return false;
    }

    private async ValueTask<T> GetOrCreateCoreAsync<TArgs, T>(CallKey callKey, TArgs args,
        Func<TArgs, CancellationToken, ValueTask<T>> invoke, CacheControl? control, CancellationToken cancellationToken)
    {
        if (Replaying)
        {
            return await ReplayAsync<T>(callKey, cancellationToken).ConfigureAwait(false);
        }
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        var call = new CallOutcome<T>();
        if (!_store.CanCache<T>(settings))
        {
            return await RunMethodAsync(settings, invoke, args, call, cancellationToken).ConfigureAwait(false);
        }
        string key = callKey.ToKeyString();
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        long startedTicks = _store.Now;
        using Activity? activity = LlmCacheTelemetry.ActivitySource.StartActivity("llmcache.get");

        if (control is { NoCache: true })
        {
            return await RefreshAsync(callKey, key, args, invoke, control, ttl, started, startedTicks, activity, call, cancellationToken)
                .ConfigureAwait(false);
        }

        CacheEntry<T>? entry;
        try
        {
            // HybridCache makes identical concurrent misses run the method once and reads the second
            // level; it never writes (the store below decides what is kept, and where).
            entry = await _cache.GetOrCreateAsync(
                key,
                (Runtime: this, Settings: settings, Args: args, Invoke: invoke, Call: call, Ttl: ttl, Key: callKey, KeyString: key),
                static async (s, ct) =>
                {
                    // Snapshot tiers are not part of HybridCache's second level: read after it, before the method.
                    if (await s.Runtime._store.Snapshots.ReadAsync<T>(s.Key, s.KeyString, ct).ConfigureAwait(false) is { } recorded)
                    {
                        return recorded;
                    }
                    // Stamped with the time the method started, not ended: a caller who joins this call
                    // after an eviction must see an entry older than the eviction, and run its own.
                    long ranFrom = s.Runtime._store.Now;
                    T value;
                    try
                    {
                        value = await s.Runtime.RunMethodAsync(s.Settings, s.Invoke, s.Args, s.Call, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        // Marked so the caller can tell the method's own failure from the cache's.
                        throw new MethodFailedException(ex);
                    }
                    return s.Runtime._store.NewEntry(value, s.Ttl, s.Settings.Method, ranFrom);
                },
                settings.NoWriteOptions,
                null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MethodFailedException failed)
        {
            ExceptionDispatchInfo.Capture(failed.InnerException!).Throw();
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The cache failed, not the method: the caller still gets its answer, and never from two method calls.
            _recorder.Error(settings, "get", ex);
            T value = call.Completed
                ? call.Value!
                : await RunMethodAsync(settings, invoke, args, call, cancellationToken).ConfigureAwait(false);
            _recorder.Miss(callKey, activity, started, call.MethodTicks, stored: false, control);
            return value;
        }

        if (call.RanMethod)
        {
            bool stored = await _store.StoreAsync(callKey, key, call.Value!, ttl, control, startedTicks, cancellationToken).ConfigureAwait(false);
            _recorder.Miss(callKey, activity, started, call.MethodTicks, stored, control);
            return call.Value!;
        }

        // Read from the second level, or joined the call another caller is making.
        if (entry is null || EntryPolicy.IsUnfinished(entry.Value)
            || !await _store.IsServableAsync(callKey, entry, control, cancellationToken).ConfigureAwait(false)
            || !_store.TryCopy(settings, entry.Value, out T copy))
        {
            // Expired by this runtime's clock, older than the caller accepts, removed since it was
            // written, or not a value that can be handed out: the method answers.
            return await RefreshAsync(callKey, key, args, invoke, control, ttl, started, startedTicks, activity, call, cancellationToken)
                .ConfigureAwait(false);
        }
        if (entry.Method is null)
        {
            // Read from a tier: a fresh object nobody else holds. Kept in memory; the caller has a copy.
            _store.KeepLocal(callKey, entry);
            _recorder.Hit(callKey, started, CacheSource.Distributed, activity);
        }
        else
        {
            _recorder.Hit(callKey, started, CacheSource.Memory, activity);
        }
        return copy;
    }

    /// <summary>Runs the method for a call that may not read the cache (or found nothing it may serve) and stores its answer.</summary>
    private async ValueTask<T> RefreshAsync<TArgs, T>(CallKey callKey, string key, TArgs args, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        CacheControl? control, TimeSpan ttl, long started, long startedTicks, Activity? activity, CallOutcome<T> call,
        CancellationToken cancellationToken)
    {
        T fresh = await RunMethodAsync(callKey.Settings, invoke, args, call, cancellationToken).ConfigureAwait(false);
        bool stored = await _store.StoreAsync(callKey, key, fresh, ttl, control, startedTicks, cancellationToken).ConfigureAwait(false);
        _recorder.Miss(callKey, activity, started, call.MethodTicks, stored, control);
        return fresh;
    }

    private async IAsyncEnumerable<T> StreamCoreAsync<TState, T>(CallKey callKey, TState state,
        Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CacheControl? control,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        bool cacheable = _store.CanCache<T[]>(settings);
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        long startedTicks = _store.Now;
        string? key = null;
        if (cacheable && control is not { NoCache: true })
        {
            T[]? replay = null;
            CacheSource source = CacheSource.Memory;
            if (_store.TryGetLocal(callKey, control, out CacheEntry<T[]>? local))
            {
                replay = CopyAll(settings, local.Value);
            }
            else
            {
                key = callKey.ToKeyString();
                CacheEntry<T[]>? read = await _store.ReadServableAsync<T[]>(callKey, key, control, cancellationToken).ConfigureAwait(false);
                if (read is not null)
                {
                    replay = CopyAll(settings, read.Value);
                    source = CacheSource.Distributed;
                }
            }
            if (replay is not null)
            {
                _recorder.Hit(callKey, started, source);
                foreach (T item in replay)
                {
                    yield return item;
                }
                yield break;
            }
        }
        if (Replaying)
        {
            throw cacheable ? ReplayMiss(callKey) : NotReplayable<T[]>(settings.Method);
        }

        _recorder.MethodStarting(settings);
        long methodStarted = Stopwatch.GetTimestamp();
        List<T>? items = cacheable ? new List<T>() : null;
        await foreach (T item in factory(state, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // Copied before the caller sees it: what the caller does to its item never reaches the cache.
            if (items is not null)
            {
                if (_store.TryCopy(settings, item, out T copy))
                {
                    items.Add(copy);
                }
                else
                {
                    items = null; // a stream with an item that cannot be kept is passed through, not stored
                }
            }
            yield return item;
        }
        // Reached only when the stream completed: an abandoned or failed stream stores nothing, and a
        // stream that ended quietly because its caller cancelled is not stored either (EntryPolicy).
        long methodTicks = Stopwatch.GetTimestamp() - methodStarted;
        _recorder.MethodCompleted(settings, methodTicks);
        bool stored = items is not null && await _store.StoreAsync(callKey, key, items.ToArray(), ttl, control, startedTicks,
            cancellationToken, valueIsPrivate: true).ConfigureAwait(false);
        _recorder.Miss(callKey, null, started, methodTicks, stored, control);
    }

    /// <summary>Copies of every stored item for one replay, or null (a miss) when any cannot be copied.</summary>
    private T[]? CopyAll<T>(LlmCachedMethod.KeySettings settings, T[] items)
    {
        var copies = new T[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!_store.TryCopy(settings, items[i], out copies[i]))
            {
                return null;
            }
        }
        return copies;
    }

    /// <summary>Runs the cached method, counting the miss and timing it. Its exceptions pass through as they are.</summary>
    private async ValueTask<T> RunMethodAsync<TArgs, T>(LlmCachedMethod.KeySettings settings, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        TArgs args, CallOutcome<T> call, CancellationToken cancellationToken)
    {
        call.RanMethod = true;
        _recorder.MethodStarting(settings);
        long started = Stopwatch.GetTimestamp();
        T value = await invoke(args, cancellationToken).ConfigureAwait(false);
        call.MethodTicks = Stopwatch.GetTimestamp() - started;
        _recorder.MethodCompleted(settings, call.MethodTicks);
        call.Value = value;
        call.Completed = true;
        return value;
    }

    /// <summary>What the factory did for one call: HybridCache hands the caller a copy, so this is how the caller learns it.</summary>
    private sealed class CallOutcome<T>
    {
        public bool RanMethod;
        public bool Completed;
        public T? Value;
        public long MethodTicks;
    }

    /// <summary>Carries a cached method's own exception through HybridCache, which never stores it; never seen by a caller.</summary>
    private sealed class MethodFailedException(Exception inner) : Exception(inner.Message, inner);
}
