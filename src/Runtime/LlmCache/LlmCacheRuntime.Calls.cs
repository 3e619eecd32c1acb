using System.ComponentModel;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
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
                RecordLocalHit(key, started, entry);
                if (key.Settings.EagerRefresh > 0)
                {
                    RefreshEarly(key, entry, (State: state, Factory: factory), static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)),
                        SameKey(key, method, state, writeKey, writeTenant, effective)!, effective);
                }
                return entry.CompletedTask; // shared: neither the task nor its value can change
            }
        }
        else if (TryHit(key, effective, out T? hit, out CacheEntry<T>? hitEntry))
        {
            if (key.Settings.EagerRefresh > 0)
            {
                RefreshEarly(key, hitEntry, (State: state, Factory: factory), static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)),
                    SameKey(key, method, state, writeKey, writeTenant, effective)!, effective);
            }
            return Task.FromResult(hit!);
        }
        return GetOrCreateCoreAsync(key, (State: state, Factory: factory),
            static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), effective, SameKey(key, method, state, writeKey, writeTenant, effective),
            cancellationToken).AsTask();
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
        if (TryHit(key, effective, out T? hit, out CacheEntry<T>? hitEntry))
        {
            if (key.Settings.EagerRefresh > 0)
            {
                RefreshEarly(key, hitEntry, (State: state, Factory: factory), static (s, ct) => s.Factory(s.State, ct),
                    SameKey(key, method, state, writeKey, writeTenant, effective)!, effective);
            }
            return new ValueTask<T>(hit!);
        }
        return GetOrCreateCoreAsync(key, (State: state, Factory: factory), static (s, ct) => s.Factory(s.State, ct), effective,
            SameKey(key, method, state, writeKey, writeTenant, effective), cancellationToken);
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
        return ForMode(ForDefaultOff(CacheControl.Combine(LlmCacheScope.CurrentControl, control)));
    }

    /// <summary>The hot path: the in-process level, no key string, no await. A hit is handed out as a copy.</summary>
    private bool TryHit<T>(in CallKey key, CacheControl? control, out T? value, [NotNullWhen(true)] out CacheEntry<T>? entry)
    {
        long started = Stopwatch.GetTimestamp();
        if (_store.TryGetLocal(key, control, out entry) && _store.TryCopy(key.Settings, entry.Value, out value))
        {
            RecordLocalHit(key, started, entry);
            return true;
        }
        value = default;
        entry = null;
        return false;
    }

    /// <summary>
    /// For a method whose calls may finish in the background: whether a call's arguments still write
    /// <paramref name="key"/>. A caller handed an answer may go on changing its arguments (appending the
    /// answer to its messages); a background call that read them then answered another question, and
    /// its answer is not stored under this key. Null for other methods (nothing runs in the background).
    /// </summary>
    private Func<CallKey, bool>? SameKey<TState>(in CallKey key, LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, CacheControl? control)
    {
        if (!key.Settings.RefreshesInBackground)
        {
            return null;
        }
        return k => _keys.TryBuild(method, in state, writeKey, writeTenant, control, out CallKey again) && again.Equals(k);
    }

    /// <summary>
    /// A hit in the last part of its entry's life (<see cref="LlmCachedMethod.KeySettings.EagerRefresh"/>)
    /// starts one background call of the method (per key, within the runtime's bound) whose answer
    /// replaces the entry before it expires. The caller has its answer already and never waits.
    /// </summary>
    private void RefreshEarly<TArgs, T>(CallKey key, CacheEntry<T> entry, TArgs args, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        Func<CallKey, bool> sameKey, CacheControl? control)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        long life = entry.ExpiresUtcTicks - entry.CreatedUtcTicks;
        // Replay never calls the method, not even in the background.
        if (Replaying || entry.IsStale || control is { NoStore: true } || _store.Now < entry.CreatedUtcTicks + (long)(life * settings.EagerRefresh)
            || _refreshes.IsRunning(key))
        {
            return;
        }
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        _refreshes.TryRun(key, () =>
        {
            long startedTicks = _store.Now;
            var hard = new CancellationTokenSource(settings.HardTimeout, _time);
            // On the thread pool: the caller who made the hit is not kept a moment longer.
            Task<T> running = Task.Run(() => invoke(args, hard.Token).AsTask(), hard.Token);
            return CompleteInBackgroundAsync(key, running, hard, sameKey, ttl, control, startedTicks);
        }, bounded: true);
    }

    /// <summary>
    /// Waits for a method call that goes on without its caller (past a soft timeout, or an eager
    /// refresh) and stores its answer if the arguments still mean the same key. Never throws: a failure
    /// is counted and logged, and the entry stays as it was.
    /// </summary>
    private async Task CompleteInBackgroundAsync<T>(CallKey key, Task<T> running, CancellationTokenSource hard, Func<CallKey, bool>? sameKey,
        TimeSpan ttl, CacheControl? control, long startedTicks)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        string outcome;
        try
        {
            T value = await running.ConfigureAwait(false);
            outcome = sameKey is not null && !sameKey(key) ? "discarded"
                : await _store.StoreAsync(key, null, value, ttl, control, startedTicks, CancellationToken.None).ConfigureAwait(false) ? "stored"
                : "not-stored";
        }
        catch (Exception ex)
        {
            outcome = "failed";
            if (_recorder.Once("refresh-failed:" + settings.Method.Id))
            {
                Log.RefreshFailed(_recorder.Logger, settings.Method.Id, ex);
            }
        }
        finally
        {
            hard.Dispose();
        }
        _recorder.Refreshed(settings, outcome);
    }

    /// <summary>A hit of the in-process level: a stale answer kept for the fail-safe throttle is reported as such.</summary>
    private void RecordLocalHit<T>(in CallKey key, long started, CacheEntry<T> entry)
    {
        if (entry.IsStale)
        {
            _recorder.Stale(key, started, CacheSource.Memory, entry.CreatedUtcTicks, _store.Now, UsageReader<T>.Of(entry.Value), failure: null);
        }
        else
        {
            _recorder.Hit(key, started, CacheSource.Memory, UsageReader<T>.Of(entry.Value), entry: entry);
        }
    }

    /// <summary>
    /// The newest entry at hand that may answer in place of the method (an expired one within its
    /// fail-safe window, see <see cref="EntryStore.IsFailSafeServableAsync"/>): the in-process one, or
    /// <paramref name="read"/> from a tier. Null when there is none.
    /// </summary>
    private async ValueTask<(CacheEntry<T>? Entry, CacheSource Source)> FindStaleAsync<T>(CallKey key, CacheEntry<T>? read, CacheControl? control,
        CancellationToken cancellationToken)
    {
        if (key.Settings.FailSafe <= TimeSpan.Zero)
        {
            return default;
        }
        CacheSource source = CacheSource.Memory;
        if (!_store.TryGetStaleLocal(key, out CacheEntry<T>? stale) || read is not null && read.CreatedUtcTicks > stale.CreatedUtcTicks)
        {
            stale = read;
            source = CacheSource.Distributed;
        }
        return stale is not null && await _store.IsFailSafeServableAsync(key, stale, control, cancellationToken).ConfigureAwait(false)
            ? (stale, source)
            : default;
    }

    /// <summary>Records a stale entry answering past a soft timeout, and returns the caller's copy of it.</summary>
    private T ServedStale<T>(CallKey key, CacheEntry<T> stale, T copy, CacheSource source, long started)
    {
        _recorder.Stale(key, started, source, stale.CreatedUtcTicks, _store.Now, UsageReader<T>.Of(stale.Value), failure: null, "soft-timeout");
        return copy;
    }

    /// <summary>
    /// Answers a call whose method failed with the last good answer, if the method has a fail-safe
    /// window, the failure is one it covers (never the caller's own cancellation), the call accepts a
    /// cached answer, and an entry within its window is at hand — in memory, or <paramref name="read"/>
    /// from a tier. The answer is then kept for the fail-safe throttle. Otherwise nothing is served and
    /// the caller gets the method's exception.
    /// </summary>
    private async ValueTask<(bool Served, T? Value)> FailSafeAsync<T>(CallKey key, CacheEntry<T>? read, Exception failure, CacheControl? control,
        long started, CancellationToken cancellationToken)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        if (settings.FailSafe <= TimeSpan.Zero || control is { NoCache: true } or { Bypass: true } || cancellationToken.IsCancellationRequested)
        {
            return default;
        }
        try
        {
            if (!(Options.FailSafeWhen ?? FailSafe.IsTransient)(failure))
            {
                return default;
            }
            if (await FindStaleAsync(key, read, control, cancellationToken).ConfigureAwait(false) is not ({ } stale, var source)
                || !_store.TryCopy(settings, stale.Value, out T copy))
            {
                return default;
            }
            _store.KeepFailSafe(key, stale, Options.FailSafeThrottle);
            _recorder.Stale(key, started, source, stale.CreatedUtcTicks, _store.Now, UsageReader<T>.Of(stale.Value), failure);
            return (true, copy);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The fail-safe is the cache's: its own failure leaves the caller with the method's exception.
            _recorder.Error(settings, "fail-safe", ex);
            return default;
        }
    }

    private async ValueTask<T> GetOrCreateCoreAsync<TArgs, T>(CallKey callKey, TArgs args,
        Func<TArgs, CancellationToken, ValueTask<T>> invoke, CacheControl? control, Func<CallKey, bool>? sameKey,
        CancellationToken cancellationToken)
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

        if (control is { NoCache: true }
            || settings.SoftTimeout is not null && _store.TryGetStaleLocal<T>(callKey, out _))
        {
            // A fresh read; or an expired entry in memory and a soft timeout: the method may keep its
            // caller waiting only that long (RefreshAsync), which a shared HybridCache call cannot do.
            return await RefreshAsync(callKey, key, args, invoke, control, ttl, started, startedTicks, activity, call, null, sameKey,
                cancellationToken).ConfigureAwait(false);
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
            if (await FailSafeAsync<T>(callKey, null, failed.InnerException!, control, started, cancellationToken).ConfigureAwait(false) is (true, var stale))
            {
                return stale!;
            }
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
            // written, or not a value that can be handed out: the method answers (the entry, if the method fails).
            return await RefreshAsync(callKey, key, args, invoke, control, ttl, started, startedTicks, activity, call, entry, sameKey,
                cancellationToken).ConfigureAwait(false);
        }
        if (entry.Method is null)
        {
            // Read from a tier: a fresh object nobody else holds. Kept in memory; the caller has a copy.
            _store.KeepLocal(callKey, entry);
            _recorder.Hit(callKey, started, CacheSource.Distributed, UsageReader<T>.Of(entry.Value), activity);
        }
        else
        {
            _recorder.Hit(callKey, started, CacheSource.Memory, UsageReader<T>.Of(entry.Value), activity);
        }
        return copy;
    }

    /// <summary>
    /// Runs the method for a call that may not read the cache (or found nothing it may serve) and stores
    /// its answer; if the method fails, <paramref name="stale"/> (an expired entry read from a tier) may answer instead.
    /// </summary>
    private async ValueTask<T> RefreshAsync<TArgs, T>(CallKey callKey, string key, TArgs args, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        CacheControl? control, TimeSpan ttl, long started, long startedTicks, Activity? activity, CallOutcome<T> call, CacheEntry<T>? stale,
        Func<CallKey, bool>? sameKey, CancellationToken cancellationToken)
    {
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        if (settings.SoftTimeout is { } softTimeout && control is not { NoCache: true }
            && await FindStaleAsync(callKey, stale, control, cancellationToken).ConfigureAwait(false) is ({ } standby, var source)
            && _store.TryCopy(settings, standby.Value, out T standbyCopy))
        {
            if (_refreshes.IsRunning(callKey))
            {
                // The method is already being called for this key (past another caller's soft timeout): its answer will land.
                return ServedStale(callKey, standby, standbyCopy, source, started);
            }
            var hard = new CancellationTokenSource(settings.HardTimeout, _time);
            // Until the soft timeout the caller waits, and its cancellation stops the method; after it, the call is the runtime's.
            CancellationTokenRegistration callerStops = cancellationToken.Register(static h => ((CancellationTokenSource)h!).Cancel(), hard);
            Task<T> running = RunMethodAsync(settings, invoke, args, call, hard.Token).AsTask();
            Task waited = await Task.WhenAny(running, Task.Delay(softTimeout, _time, cancellationToken)).ConfigureAwait(false);
            if (!running.IsCompleted && !cancellationToken.IsCancellationRequested && waited != running)
            {
                callerStops.Dispose();
                if (_refreshes.TryRun(callKey, () => CompleteInBackgroundAsync(callKey, running, hard, sameKey, ttl, control, startedTicks), bounded: false))
                {
                    return ServedStale(callKey, standby, standbyCopy, source, started);
                }
            }
            callerStops.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                // Its registration may have been removed above before it ran (the delay's ran first): stop the method here.
                hard.Cancel();
            }
            T answered;
            try
            {
                answered = await running.ConfigureAwait(false);
            }
            catch (Exception failure)
            {
                if (await FailSafeAsync(callKey, stale, failure, control, started, cancellationToken).ConfigureAwait(false) is (true, var answer))
                {
                    return answer!;
                }
                throw;
            }
            finally
            {
                hard.Dispose();
            }
            bool kept = await _store.StoreAsync(callKey, key, answered, ttl, control, startedTicks, cancellationToken).ConfigureAwait(false);
            _recorder.Miss(callKey, activity, started, call.MethodTicks, kept, control);
            return answered;
        }

        T fresh;
        try
        {
            fresh = await RunMethodAsync(settings, invoke, args, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            if (await FailSafeAsync(callKey, stale, failure, control, started, cancellationToken).ConfigureAwait(false) is (true, var answer))
            {
                return answer!;
            }
            throw;
        }
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
                _recorder.Hit(callKey, started, source, UsageReader<T[]>.Of(replay));
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
        Exception? failedAtStart = null;
        IAsyncEnumerator<T> produced = factory(state, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            bool first = true;
            while (true)
            {
                bool moved;
                try
                {
                    moved = await produced.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception failure) when (first && cacheable && settings.FailSafe > TimeSpan.Zero)
                {
                    // Nothing reached the caller yet: a stale replay can still stand in for the whole stream (below).
                    failedAtStart = failure;
                    break;
                }
                if (!moved)
                {
                    break;
                }
                first = false;
                T item = produced.Current;
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
        }
        finally
        {
            await produced.DisposeAsync().ConfigureAwait(false);
        }
        if (failedAtStart is not null)
        {
            CacheEntry<T[]>? read = HasSecondLevel
                ? await _store.ReadAsync<T[]>(callKey, key ??= callKey.ToKeyString(), cancellationToken).ConfigureAwait(false)
                : null;
            if (await FailSafeAsync(callKey, read, failedAtStart, control, started, cancellationToken).ConfigureAwait(false) is not (true, { } stale))
            {
                ExceptionDispatchInfo.Capture(failedAtStart).Throw();
                yield break;
            }
            foreach (T item in stale)
            {
                yield return item;
            }
            yield break;
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
