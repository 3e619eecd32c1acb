using System.ComponentModel;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
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
        if (!TryBuildCallKey(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return factory(state, cancellationToken);
        }
        if (ValueCopier<T>.IsImmutable)
        {
            if (TryHitEntry(key, effective, out CacheEntry<T>? entry))
            {
                return entry.CompletedTask; // shared: neither the task nor its value can change
            }
        }
        else if (TryHit(key, effective, out T? hit))
        {
            return Task.FromResult(hit!);
        }
        return GetOrCreateCoreAsync(key, state, factory, static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), effective, cancellationToken).AsTask();
    }

    /// <summary>Serves a <c>ValueTask&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<T> GetOrCreateValueTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, Func<TState, CancellationToken, ValueTask<T>> factory, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheControl? effective = CacheControl.Combine(LlmCacheScope.CurrentControl, control);
        if (!TryBuildCallKey(method, in state, writeKey, writeTenant, effective, out CallKey key))
        {
            return factory(state, cancellationToken);
        }
        if (TryHit(key, effective, out T? hit))
        {
            return new ValueTask<T>(hit!);
        }
        return GetOrCreateCoreAsync(key, state, factory, static (s, ct) => s.Factory(s.State, ct), effective, cancellationToken);
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
        return TryBuildCallKey(method, in state, writeKey, writeTenant, effective, out CallKey key)
            ? StreamCoreAsync(key, state, factory, effective, cancellationToken)
            : factory(state, cancellationToken);
    }

    /// <summary>Computes the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string ComputeKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant) =>
        BuildCallKey(method.SettingsFor(this), in state, writeKey, writeTenant, marks: null).ToKeyString();

    /// <summary>Explains the key a call with these arguments has (generated typed key API only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public KeyExplanation ExplainKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant)
    {
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        int count = method.KeyedParameters.Count;
        long[] marks = new long[count + 1];
        string key = BuildCallKey(settings, in state, writeKey, writeTenant, marks).ToKeyString();
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

    private bool TryBuildCallKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, CacheControl? control, out CallKey key)
    {
        key = default;
        if (!_enabled || control is { Bypass: true })
        {
            return false;
        }
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        if (!settings.Enabled)
        {
            return false;
        }
        try
        {
            key = BuildCallKey(settings, in state, writeKey, writeTenant, marks: null);
            return true;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _keyFailures);
            _telemetry.Errors.Add(1, settings.Tag, new("llmcache.operation", "key"));
            Log.KeyFailed(_logger, method.Id, ex);
            return false;
        }
    }

    private static CallKey BuildCallKey<TState>(LlmCachedMethod.KeySettings settings, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, long[]? marks)
    {
        Span<byte> digest = stackalloc byte[32];
        ulong tenant = 0;
        if (writeTenant is not null)
        {
            // The tenant partitions the key by a hash of its value: never stored raw, never shared.
            KeyWriter tenantWriter = KeyWriter.Rent(string.Empty);
            try
            {
                writeTenant(tenantWriter, in state);
                tenantWriter.CompleteHash(digest);
                tenant = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest);
            }
            finally
            {
                tenantWriter.Dispose();
            }
        }
        KeyWriter writer = KeyWriter.Rent(string.Empty);
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
            writer.CompleteHash(digest);
        }
        finally
        {
            writer.Dispose();
        }
        return new CallKey(settings, Digest256.From(digest), tenant, writeTenant is not null);
    }

    /// <summary>The hot path: the in-process level, no key string, no await. A hit is handed out as a copy.</summary>
    private bool TryHit<T>(in CallKey key, CacheControl? control, out T? value)
    {
        if (TryHitEntry(key, control, out CacheEntry<T>? entry))
        {
            value = ValueCopier<T>.Copy(entry.Value, Options.SerializerOptions);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>The in-process entry for <paramref name="key"/> if it may serve this call (the hit is recorded); the caller copies what it hands out.</summary>
    private bool TryHitEntry<T>(in CallKey key, CacheControl? control, [NotNullWhen(true)] out CacheEntry<T>? entry)
    {
        entry = null;
        if (control is { NoCache: true })
        {
            return false;
        }
        long started = Stopwatch.GetTimestamp();
        long now = _time.GetUtcNow().UtcTicks;
        if (!_local.TryGet(key, now, out entry)
            || (control?.MaxAge is { } maxAge && now - entry!.CreatedUtcTicks > maxAge.Ticks))
        {
            entry = null;
            return false;
        }
        RecordHit(key, started, CacheSource.Memory);
        return true;
    }

    private void RecordHit(in CallKey key, long started, CacheSource source, Activity? current = null)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        Interlocked.Increment(ref _hits);
        _telemetry.Hits.Add(1, settings.Tag, new("llmcache.level", source == CacheSource.Memory ? "memory" : "distributed"));
        if (_telemetry.LookupDuration.Enabled)
        {
            _telemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, settings.Tag, new("llmcache.hit", true));
        }
        string? hash = null;
        if (current is not null || LlmCacheTelemetry.ActivitySource.HasListeners())
        {
            using Activity? activity = current ?? LlmCacheTelemetry.ActivitySource.StartActivity("llmcache.get");
            if (activity is not null)
            {
                hash = KeyHash(key);
                activity.SetTag("cache.hit", true);
                activity.SetTag("llmcache.method", settings.Method.Id);
                activity.SetTag("llmcache.key_hash", hash);
                activity.SetTag("llmcache.level", source == CacheSource.Memory ? "memory" : "distributed");
            }
        }
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            Log.Hit(_logger, settings.Method.Id, hash ??= KeyHash(key));
        }
        if (LlmCacheScope.CurrentProbe is { } probe)
        {
            probe.Record(new CacheOutcome(settings.Method.Id, true, source, false, hash ?? KeyHash(key)));
        }
    }

    /// <summary>The last 16 hex digits of the key: enough to correlate, nothing of the inputs.</summary>
    private static string KeyHash(in CallKey key)
    {
        Span<char> hex = stackalloc char[16];
        Digest256.WriteHex(key.Digest.D, hex);
        return new string(hex);
    }

    private async ValueTask<T> GetOrCreateCoreAsync<TState, TFactory, T>(CallKey callKey, TState state,
        TFactory factory, Func<(TState State, TFactory Factory), CancellationToken, ValueTask<T>> invoke, CacheControl? control,
        CancellationToken cancellationToken)
    {
        _serializers.Register<T>();
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        LlmCachedMethod method = settings.Method;
        string key = callKey.ToKeyString();
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = LlmCacheTelemetry.ActivitySource.StartActivity("llmcache.get");
        var call = new CallOutcome<T>();

        if (control is { NoCache: true })
        {
            T fresh = await RunMethodAsync(settings, invoke, (state, factory), call, cancellationToken).ConfigureAwait(false);
            bool stored = !control.NoStore && await StoreAsync(callKey, key, fresh, ttl, cancellationToken).ConfigureAwait(false);
            Finish(callKey, activity, started, call, hit: false, stored, control);
            return fresh;
        }

        // We store ourselves when the TTL depends on the result or the call may not store at all.
        // With a second level we store ourselves: the entry goes to the in-process level at once and the
        // tier writes run in the background (see TieredCache.SetAsync).
        bool selfStore = control is { NoStore: true } || Options.ResultTtl is not null || _tiered is not null;
        HybridCacheEntryOptions entryOptions = selfStore
            ? settings.NoWriteOptions
            : ttl == settings.Ttl ? settings.EntryOptions : LlmCachedMethod.KeySettings.EntryOptionsFor(ttl);

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
                        s.Runtime.Checked(created, s.Settings, out s.Call.Bytes);
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
            Finish(callKey, activity, started, call, hit: false, stored: false, control);
            return value;
        }

        if (call.RanMethod)
        {
            bool stored;
            if (control is { NoStore: true })
            {
                stored = SkipStore(settings, "no-store");
            }
            else if (selfStore)
            {
                stored = await StoreAsync(callKey, key, call.Value!, ttl, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                stored = !await DropIfTooLargeAsync(key, call.Entry).ConfigureAwait(false);
                if (stored)
                {
                    // The caller keeps the method's own object; the cache keeps a copy nobody else holds.
                    KeepLocal(callKey, CopyEntry(call.Entry!), call.Bytes);
                }
            }
            Finish(callKey, activity, started, call, hit: false, stored, control);
            return call.Value!;
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
                : await StoreAsync(callKey, key, fresh, ttl, cancellationToken).ConfigureAwait(false);
            Finish(callKey, activity, started, call, hit: false, stored, control);
            return fresh;
        }

        if (entry.Method is null)
        {
            // Read from the second level: a fresh object nobody else holds. Keep it in memory; hand out a copy.
            KeepLocal(callKey, entry, bytes: -1);
            Finish(callKey, activity, started, call, hit: true, stored: false, control, CacheSource.Distributed);
        }
        else
        {
            // Joined a call that another caller is making: its object is that caller's, so this one gets a copy.
            Finish(callKey, activity, started, call, hit: true, stored: false, control);
        }
        return ValueCopier<T>.Copy(entry.Value, Options.SerializerOptions);
    }

    private async IAsyncEnumerable<T> StreamCoreAsync<TState, T>(CallKey callKey, TState state,
        Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CacheControl? control,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _serializers.Register<T[]>();
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        TimeSpan ttl = control?.Ttl ?? settings.Ttl;
        long started = Stopwatch.GetTimestamp();
        var call = new CallOutcome<T[]>();
        string? key = null;
        if (control is not { NoCache: true })
        {
            long now = _time.GetUtcNow().UtcTicks;
            CacheEntry<T[]>? cached = null;
            if (_local.TryGet(callKey, now, out CacheEntry<T[]>? local))
            {
                cached = local;
            }
            else
            {
                key = callKey.ToKeyString();
                cached = await TryGetAsync<T[]>(key, settings, cancellationToken).ConfigureAwait(false);
                if (cached is not null && cached.ExpiresUtcTicks > now)
                {
                    KeepLocal(callKey, cached, bytes: -1);
                }
            }
            if (cached is not null && cached.ExpiresUtcTicks > now
                && !(control?.MaxAge is { } maxAge && now - cached.CreatedUtcTicks > maxAge.Ticks))
            {
                RecordHit(callKey, started, local is null ? CacheSource.Distributed : CacheSource.Memory);
                foreach (T item in cached.Value)
                {
                    yield return ValueCopier<T>.Copy(item, Options.SerializerOptions);
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
            // Copied before the caller sees it: what the caller does to its item never reaches the cache.
            items.Add(ValueCopier<T>.Copy(item, Options.SerializerOptions));
            yield return item;
        }
        // Reached only when the stream completed: an abandoned or failed stream stores nothing.
        _telemetry.MethodDuration.Record(Stopwatch.GetElapsedTime(methodStarted).TotalSeconds, settings.Tag);
        call.RanMethod = true;
        call.MethodTicks = Stopwatch.GetTimestamp() - methodStarted;
        T[] stored = items.ToArray();
        bool wrote = control is { NoStore: true }
            ? SkipStore(settings, "no-store")
            : await StoreAsync(callKey, key ?? callKey.ToKeyString(), stored, ttl, CancellationToken.None, valueIsPrivate: true).ConfigureAwait(false);
        Finish(callKey, null, started, call, hit: false, wrote, control);
    }

    private CacheEntry<T> CopyEntry<T>(CacheEntry<T> entry) =>
        ValueCopier<T>.IsImmutable
            ? entry
            : new CacheEntry<T>(ValueCopier<T>.Copy(entry.Value, Options.SerializerOptions), entry.CreatedUtcTicks, entry.ExpiresUtcTicks, entry.Method);

    private void KeepLocal<T>(in CallKey key, CacheEntry<T> entry, long bytes)
    {
        if (bytes < 0)
        {
            bytes = _serializers.Measure(entry);
            if (bytes > Options.MaximumEntryBytes)
            {
                return;
            }
        }
        _local.Set(key, entry, bytes);
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
    private async ValueTask<bool> StoreAsync<T>(CallKey callKey, string key, T value, TimeSpan ttl, CancellationToken cancellationToken,
        bool valueIsPrivate = false)
    {
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        LlmCachedMethod method = settings.Method;
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
            var options = ttl == settings.Ttl ? settings.EntryOptions : LlmCachedMethod.KeySettings.EntryOptionsFor(ttl);
            // The value may be the caller's own object: what is kept is a copy.
            CacheEntry<T> fresh = NewEntry(value, ttl, settings);
            CacheEntry<T> entry = Checked(valueIsPrivate ? fresh : CopyEntry(fresh), settings, out long bytes);
            if (entry.TooLarge)
            {
                return false;
            }
            _local.Set(callKey, entry, bytes);
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
    private CacheEntry<T> Checked<T>(CacheEntry<T> entry, LlmCachedMethod.KeySettings settings) => Checked(entry, settings, out _);

    private CacheEntry<T> Checked<T>(CacheEntry<T> entry, LlmCachedMethod.KeySettings settings, out long bytes)
    {
        bytes = _serializers.Measure(entry);
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

    private void Finish<T>(in CallKey key, Activity? activity, long started, CallOutcome<T> call, bool hit, bool stored,
        CacheControl? control, CacheSource source = CacheSource.Memory)
    {
        if (hit)
        {
            // Answered by a level below the in-process one, or by joining another caller's call.
            RecordHit(key, started, source, activity);
            return;
        }
        LlmCachedMethod.KeySettings settings = key.Settings;
        string hash = KeyHash(key);
        double lookup = Stopwatch.GetElapsedTime(started).TotalSeconds - (double)call.MethodTicks / Stopwatch.Frequency;
        _telemetry.LookupDuration.Record(Math.Max(0, lookup), settings.Tag, new("llmcache.hit", false));
        Log.Miss(_logger, settings.Method.Id, hash);
        if (activity is not null)
        {
            activity.SetTag("cache.hit", false);
            activity.SetTag("llmcache.method", settings.Method.Id);
            activity.SetTag("llmcache.key_hash", hash);
            if (control is not null)
            {
                activity.SetTag("llmcache.control", control.NoCache ? "no-cache" : control.NoStore ? "no-store" : "custom");
            }
        }
        LlmCacheScope.CurrentProbe?.Record(new CacheOutcome(settings.Method.Id, false, CacheSource.Method, stored, hash));
    }

    private CacheEntry<T> NewEntry<T>(T value, TimeSpan ttl, LlmCachedMethod.KeySettings settings)
    {
        long now = _time.GetUtcNow().UtcTicks;
        long expires = ttl.Ticks >= DateTime.MaxValue.Ticks - now ? DateTime.MaxValue.Ticks : now + ttl.Ticks;
        return new CacheEntry<T>(value, now, expires, settings.Method);
    }
}
