using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmCache;

public sealed partial class LlmCacheRuntime
{
    /// <summary>Serves a <c>Task&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<T> GetOrCreateTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, Task<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = CacheControl.Combine(LlmCacheScope.CurrentControl, control);
        string? key = TryBuildKey(method, in state, writeKey, writeTenant, effective);
        return key is null
            ? factory(state, cancellationToken)
            : GetOrCreateCoreAsync(method, key, state, factory, static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), effective, cancellationToken).AsTask();
    }

    /// <summary>Serves a <c>ValueTask&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<T> GetOrCreateValueTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, ValueTask<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = CacheControl.Combine(LlmCacheScope.CurrentControl, control);
        string? key = TryBuildKey(method, in state, writeKey, writeTenant, effective);
        return key is null
            ? factory(state, cancellationToken)
            : GetOrCreateCoreAsync(method, key, state, factory, static (s, ct) => s.Factory(s.State, ct), effective, cancellationToken);
    }

    /// <summary>
    /// Serves an <c>IAsyncEnumerable&lt;T&gt;</c> method through the cache (generated code only): a hit
    /// replays the stored items; a miss passes items to the caller as they arrive and stores them
    /// only when the stream completes.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IAsyncEnumerable<T> GetOrCreateStream<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = CacheControl.Combine(LlmCacheScope.CurrentControl, control);
        string? key = TryBuildKey(method, in state, writeKey, writeTenant, effective);
        return key is null
            ? factory(state, cancellationToken)
            : StreamCoreAsync(method, key, state, factory, effective, cancellationToken);
    }

    /// <summary>Computes the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string ComputeKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant) =>
        BuildKey(method.SettingsFor(this), in state, writeKey, writeTenant, marks: null);

    /// <summary>Explains the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyExplanation ExplainKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant)
    {
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        int count = method.KeyedParameters.Count;
        long[] marks = new long[count + 1];
        string key = BuildKey(settings, in state, writeKey, writeTenant, marks);
        var parts = new KeyPart[count];
        for (int i = 0; i < count; i++)
        {
            parts[i] = new KeyPart(method.KeyedParameters[i], marks[i + 1] - marks[i]);
        }
        return new KeyExplanation(key, method, Options.Namespace, writeTenant is not null, parts);
    }

    /// <summary>Removes the entry a call with these arguments would read (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask EvictAsync<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant,
        CancellationToken cancellationToken) =>
        RemoveAsync(ComputeKey(method, in state, writeKey, writeTenant), cancellationToken);

    private string? TryBuildKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, CacheControl? control)
    {
        if (!_enabled || control is { Bypass: true })
        {
            return null;
        }
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        if (!settings.Enabled)
        {
            return null;
        }
        try
        {
            return BuildKey(settings, in state, writeKey, writeTenant, marks: null);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _keyFailures);
            _telemetry.Errors.Add(1, settings.Tag, new("llmcache.operation", "key"));
            Log.KeyFailed(_logger, method.Id, ex);
            return null;
        }
    }

    private static string BuildKey<TState>(LlmCachedMethod.KeySettings settings, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, long[]? marks)
    {
        string prefix = settings.Prefix;
        if (writeTenant is not null)
        {
            // The tenant partitions the key by a hash of its value: never stored raw, never shared.
            KeyWriter tenant = KeyWriter.Rent(string.Empty);
            try
            {
                writeTenant(tenant, in state);
                Span<byte> digest = stackalloc byte[32];
                tenant.CompleteHash(digest);
                prefix = string.Concat(prefix, "t-", Convert.ToHexString(digest[..8]).ToLowerInvariant(), ":");
            }
            finally
            {
                tenant.Dispose();
            }
        }
        KeyWriter writer = KeyWriter.Rent(prefix);
        try
        {
            if (marks is not null)
            {
                writer.RecordMarks(marks);
            }
            writeKey(writer, in state);
            if (marks is not null)
            {
                marks[^1] = writer.BytesWritten;
            }
            return writer.Complete();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private async ValueTask<T> GetOrCreateCoreAsync<TState, TFactory, T>(LlmCachedMethod method, string key, TState state,
        TFactory factory, Func<(TState State, TFactory Factory), CancellationToken, ValueTask<T>> invoke, CacheControl? control,
        CancellationToken cancellationToken)
    {
        _serializers.Register<T>();
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = LlmCacheTelemetry.ActivitySource.StartActivity("llmcache.get");
        var call = new CallOutcome<T>();

        if (control is { NoCache: true })
        {
            T fresh = await RunMethodAsync(settings, invoke, (state, factory), call, cancellationToken).ConfigureAwait(false);
            bool stored = !control.NoStore && await StoreAsync(method, settings, key, fresh, ttl, cancellationToken).ConfigureAwait(false);
            Finish(method, settings, key, activity, started, call, hit: false, stored, control);
            return fresh;
        }

        // We store ourselves when the TTL depends on the result or the call may not store at all.
        bool selfStore = control is { NoStore: true } || Options.ResultTtl is not null;
        HybridCacheEntryOptions entryOptions = selfStore
            ? settings.NoWriteOptions
            : ttl == settings.Ttl ? settings.EntryOptions : new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl };

        CacheEntry<T> entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(
                key,
                (Runtime: this, Settings: settings, Args: (State: state, Factory: factory), Invoke: invoke, Call: call, Ttl: ttl, SelfStore: selfStore),
                static async (s, ct) =>
                {
                    T value = await s.Runtime.RunMethodAsync(s.Settings, s.Invoke, s.Args, s.Call, ct).ConfigureAwait(false);
                    CacheEntry<T> created = s.Runtime.NewEntry(value, s.Ttl, s.Settings);
                    if (!s.SelfStore)
                    {
                        s.Runtime.Checked(created, s.Settings);
                    }
                    return s.Call.Entry = created;
                },
                entryOptions,
                method.Tags,
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
            Interlocked.Increment(ref _errors);
            _telemetry.Errors.Add(1, settings.Tag, new("llmcache.operation", "get"));
            Log.CacheFailed(_logger, method.Id, ex);
            T value = call.RanMethod
                ? call.Value!
                : await RunMethodAsync(settings, invoke, (state, factory), call, cancellationToken).ConfigureAwait(false);
            Finish(method, settings, key, activity, started, call, hit: false, stored: false, control);
            return value;
        }

        if (call.RanMethod)
        {
            bool stored = control is { NoStore: true }
                ? SkipStore(settings, "no-store")
                : selfStore
                    ? await StoreAsync(method, settings, key, call.Value!, ttl, cancellationToken).ConfigureAwait(false)
                    : !await DropIfTooLargeAsync(key, call.Entry).ConfigureAwait(false);
            Finish(method, settings, key, activity, started, call, hit: false, stored, control);
            return entry.Value;
        }

        long now = _time.GetUtcNow().UtcTicks;
        bool expired = entry.ExpiresUtcTicks <= now;
        bool tooOld = control?.MaxAge is { } maxAge && now - entry.CreatedUtcTicks > maxAge.Ticks;
        if (expired || tooOld)
        {
            // Expired by this runtime's clock though a level still held it, or older than the caller accepts: refresh.
            T fresh = await RunMethodAsync(settings, invoke, (state, factory), call, cancellationToken).ConfigureAwait(false);
            bool stored = control is { NoStore: true }
                ? SkipStore(settings, "no-store")
                : await StoreAsync(method, settings, key, fresh, ttl, cancellationToken).ConfigureAwait(false);
            Finish(method, settings, key, activity, started, call, hit: false, stored, control);
            return fresh;
        }

        Finish(method, settings, key, activity, started, call, hit: true, stored: false, control);
        return entry.Value;
    }

    private async IAsyncEnumerable<T> StreamCoreAsync<TState, T>(LlmCachedMethod method, string key, TState state,
        Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CacheControl? control,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _serializers.Register<T[]>();
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        var call = new CallOutcome<T[]>();
        if (control is not { NoCache: true })
        {
            CacheEntry<T[]>? cached = await TryGetAsync<T[]>(key, settings, cancellationToken).ConfigureAwait(false);
            long now = _time.GetUtcNow().UtcTicks;
            if (cached is not null && cached.ExpiresUtcTicks > now
                && !(control?.MaxAge is { } maxAge && now - cached.CreatedUtcTicks > maxAge.Ticks))
            {
                Finish(method, settings, key, null, started, call, hit: true, stored: false, control);
                foreach (T item in cached.Value)
                {
                    yield return item;
                }
                yield break;
            }
        }

        Interlocked.Increment(ref _misses);
        _telemetry.Misses.Add(1, settings.Tag);
        long methodStarted = Stopwatch.GetTimestamp();
        var items = new List<T>();
        await foreach (T item in factory(state, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
            yield return item;
        }
        // Reached only when the stream completed: an abandoned or failed stream stores nothing.
        _telemetry.MethodDuration.Record(Stopwatch.GetElapsedTime(methodStarted).TotalSeconds, settings.Tag);
        call.RanMethod = true;
        call.MethodTicks = Stopwatch.GetTimestamp() - methodStarted;
        bool stored = control is { NoStore: true }
            ? SkipStore(settings, "no-store")
            : await StoreAsync(method, settings, key, items.ToArray(), ttl, CancellationToken.None).ConfigureAwait(false);
        Finish(method, settings, key, null, started, call, hit: false, stored, control);
    }

    /// <summary>Runs the cached method, counting the miss and timing it; its exceptions are marked as the method's own.</summary>
    private async ValueTask<T> RunMethodAsync<TArgs, T>(LlmCachedMethod.KeySettings settings, Func<TArgs, CancellationToken, ValueTask<T>> invoke,
        TArgs args, CallOutcome<T> call, CancellationToken cancellationToken)
    {
        call.RanMethod = true;
        Interlocked.Increment(ref _misses);
        _telemetry.Misses.Add(1, settings.Tag);
        long started = Stopwatch.GetTimestamp();
        T value;
        try
        {
            value = await invoke(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Marked so the caller can tell the method's own failure from the cache's.
            throw new MethodFailedException(ex);
        }
        call.MethodTicks = Stopwatch.GetTimestamp() - started;
        _telemetry.MethodDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, settings.Tag);
        call.Value = value;
        return value;
    }

    private async ValueTask<CacheEntry<T>?> TryGetAsync<T>(string key, LlmCachedMethod.KeySettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await _cache.GetOrCreateAsync<CacheEntry<T>?>(
                key,
                static _ => ValueTask.FromResult<CacheEntry<T>?>(null),
                settings.NoWriteOptions,
                null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _errors);
            _telemetry.Errors.Add(1, settings.Tag, new("llmcache.operation", "get"));
            Log.CacheFailed(_logger, settings.Method.Id, ex);
            return null;
        }
    }

    /// <summary>Stores a fresh value with the TTL the result-dependent hook chooses; false when nothing was stored.</summary>
    private async ValueTask<bool> StoreAsync<T>(LlmCachedMethod method, LlmCachedMethod.KeySettings settings, string key, T value,
        TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (Options.ResultTtl is { } choose)
        {
            TimeSpan? chosen = choose(new ResultTtlContext(method, value, ttl));
            if (chosen is { } c && c <= TimeSpan.Zero)
            {
                return SkipStore(settings, "result-ttl");
            }
            ttl = chosen ?? ttl;
        }
        try
        {
            var options = ttl == settings.Ttl ? settings.EntryOptions : new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl };
            CacheEntry<T> entry = Checked(NewEntry(value, ttl, settings), settings);
            if (entry.TooLarge)
            {
                return false;
            }
            await _cache.SetAsync(key, entry, options, method.Tags, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _errors);
            _telemetry.Errors.Add(1, settings.Tag, new("llmcache.operation", "set"));
            Log.CacheFailed(_logger, method.Id, ex);
            return false;
        }
    }

    private bool SkipStore(LlmCachedMethod.KeySettings settings, string reason)
    {
        _telemetry.SkippedStores.Add(1, settings.Tag, new("llmcache.reason", reason));
        return false;
    }

    /// <summary>
    /// Measures a fresh entry: counts the store, or marks it too large (counted and logged) so it is
    /// not kept. Serializing once more on a miss costs microseconds against the method's latency.
    /// </summary>
    private CacheEntry<T> Checked<T>(CacheEntry<T> entry, LlmCachedMethod.KeySettings settings)
    {
        long bytes = _serializers.Measure(entry);
        if (bytes > Options.MaximumEntryBytes)
        {
            entry.TooLarge = true;
            _telemetry.SkippedStores.Add(1, settings.Tag, new("llmcache.reason", "too-large"));
            Log.EntryTooLarge(_logger, settings.Method.Id, bytes, Options.MaximumEntryBytes);
        }
        else
        {
            _telemetry.Stores.Add(1, settings.Tag);
        }
        return entry;
    }

    /// <summary>Removes an entry found too large, which HybridCache may have kept in memory regardless of its own limit.</summary>
    private async ValueTask<bool> DropIfTooLargeAsync<T>(string key, CacheEntry<T>? entry)
    {
        if (entry is not { TooLarge: true })
        {
            return false;
        }
        try
        {
            await _cache.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _errors);
            Log.CacheFailed(_logger, entry.Method?.Id ?? "unknown", ex);
        }
        return true;
    }

    private void Finish<T>(LlmCachedMethod method, LlmCachedMethod.KeySettings settings, string key, Activity? activity, long started,
        CallOutcome<T> call, bool hit, bool stored, CacheControl? control)
    {
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        string hash = key.Length > 16 ? key[^16..] : key;
        if (hit)
        {
            Interlocked.Increment(ref _hits);
            _telemetry.Hits.Add(1, settings.Tag, new("llmcache.level", "memory"));
            _telemetry.LookupDuration.Record(seconds, settings.Tag, new("llmcache.hit", true));
            Log.Hit(_logger, method.Id, hash);
        }
        else
        {
            double lookup = seconds - (double)call.MethodTicks / Stopwatch.Frequency;
            _telemetry.LookupDuration.Record(Math.Max(0, lookup), settings.Tag, new("llmcache.hit", false));
            Log.Miss(_logger, method.Id, hash);
        }
        if (activity is not null)
        {
            activity.SetTag("cache.hit", hit);
            activity.SetTag("llmcache.method", method.Id);
            activity.SetTag("llmcache.key_hash", hash);
            if (control is not null)
            {
                activity.SetTag("llmcache.control", control.NoCache ? "no-cache" : control.NoStore ? "no-store" : "custom");
            }
        }
        LlmCacheScope.CurrentProbe?.Record(new CacheOutcome(method.Id, hit, hit ? CacheSource.Memory : CacheSource.Method, stored, hash));
    }

    private CacheEntry<T> NewEntry<T>(T value, TimeSpan ttl, LlmCachedMethod.KeySettings settings)
    {
        long now = _time.GetUtcNow().UtcTicks;
        long expires = ttl.Ticks >= DateTime.MaxValue.Ticks - now ? DateTime.MaxValue.Ticks : now + ttl.Ticks;
        return new CacheEntry<T>(value, now, expires, settings.Method);
    }
}
