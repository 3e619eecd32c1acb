using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmCache;

/// <summary>
/// Where entries live: the in-process level (objects, copied per caller), HybridCache (stampede
/// protection and the read of the second level) and the chain of tiers. It owns the freshness check,
/// the size limit, the copies and the store policy, and it never throws for a cache failure: a value
/// it cannot copy, serialize or write is simply not stored, counted and logged once.
/// </summary>
internal sealed class EntryStore
{
    private readonly LlmCacheRuntime _runtime;
    private readonly HybridCache _cache;
    private readonly EntrySerializerFactory _serializers;
    private readonly LocalCache _local;
    private readonly CallRecorder _recorder;
    private readonly TimeProvider _time;
    private readonly bool _hasSecondLevel;
    private readonly ConcurrentDictionary<Type, string> _uncacheable = new();

    public EntryStore(LlmCacheRuntime runtime, HybridCache cache, EntrySerializerFactory serializers, LocalCache local,
        CallRecorder recorder, TimeProvider time, RemovalLog removals, bool hasSecondLevel, SnapshotLevel snapshots)
    {
        Snapshots = snapshots;
        _runtime = runtime;
        _cache = cache;
        _serializers = serializers;
        _local = local;
        _recorder = recorder;
        _time = time;
        Removals = removals;
        _hasSecondLevel = hasSecondLevel;
    }

    /// <summary>The snapshot tiers: read after the second level, written after it.</summary>
    public SnapshotLevel Snapshots { get; }

    /// <summary>When keys, tags and tenants were last removed.</summary>
    public RemovalLog Removals { get; }

    /// <summary>The runtime's clock, in UTC ticks.</summary>
    public long Now => _time.GetUtcNow().UtcTicks;

    private LlmCacheOptions Options => _runtime.Options;

    /// <summary>
    /// Whether results of <typeparamref name="T"/> can be cached at all: its serializer contract can be
    /// built and no earlier value failed to copy or serialize. False means the call runs uncached.
    /// </summary>
    public bool CanCache<T>(LlmCachedMethod.KeySettings settings)
    {
        if (!_uncacheable.IsEmpty && _uncacheable.ContainsKey(typeof(T)))
        {
            return false;
        }
        try
        {
            _serializers.Register<T>();
            return true;
        }
        catch (Exception ex)
        {
            return MarkUncacheable<T>(settings, SkipReasons.NotSerializable, ex);
        }
    }

    /// <summary>The in-process entry for <paramref name="key"/> if it may answer this call (nothing is recorded).</summary>
    public bool TryGetLocal<T>(in CallKey key, CacheControl? control, [NotNullWhen(true)] out CacheEntry<T>? entry)
    {
        entry = null;
        if (control is { NoCache: true })
        {
            return false;
        }
        long now = Now;
        if (!_local.TryGet(key, now, out entry) || !EntryPolicy.IsFresh(entry.CreatedUtcTicks, entry.ExpiresUtcTicks, now, control)
            || Volatile.Read(ref key.Settings.Counters.RemovedUtcTicks) >= entry.CreatedUtcTicks
            || ((key.HasTenant || key.Settings.Method.Tags.Count > 0) && Removals.LastRemoval(key) >= entry.CreatedUtcTicks))
        {
            entry = null;
            return false;
        }
        return true;
    }

    /// <summary>Reads the second level, then the snapshot tiers, without writing anything; a failure is a counted miss.</summary>
    public async ValueTask<CacheEntry<T>?> ReadAsync<T>(CallKey key, string keyString, CancellationToken cancellationToken) =>
        await ReadSecondLevelAsync<T>(key.Settings, keyString, cancellationToken).ConfigureAwait(false)
        ?? await Snapshots.ReadAsync<T>(key, keyString, cancellationToken).ConfigureAwait(false);

    private async ValueTask<CacheEntry<T>?> ReadSecondLevelAsync<T>(LlmCachedMethod.KeySettings settings, string key, CancellationToken cancellationToken)
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
            _recorder.Error(settings, "get", ex);
            return null;
        }
    }

    /// <summary>
    /// Whether an entry found outside this process's memory (a tier, or another caller's call) may
    /// answer: alive, young enough for the call, and created after every removal that applies to it
    /// (its key, its tags, its tenant — as any process sharing the tiers recorded them).
    /// </summary>
    public async ValueTask<bool> IsServableAsync<T>(CallKey key, CacheEntry<T> entry, CacheControl? control, CancellationToken cancellationToken) =>
        EntryPolicy.IsFresh(entry.CreatedUtcTicks, entry.ExpiresUtcTicks, Now, control)
        && await IsNotRemovedAsync(key, entry, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Whether an expired entry may answer a call whose method failed: within its fail-safe window,
    /// finished, young enough for the caller's maximum age, and written after every removal that applies.
    /// </summary>
    public async ValueTask<bool> IsFailSafeServableAsync<T>(CallKey key, CacheEntry<T> entry, CacheControl? control, CancellationToken cancellationToken)
    {
        long now = Now;
        return entry.FailSafeLimit(key.Settings.FailSafe) > now
            && !EntryPolicy.IsUnfinished(entry.Value)
            && (control?.MaxAge is not { } maxAge || now - entry.CreatedUtcTicks <= maxAge.Ticks)
            && await IsNotRemovedAsync(key, entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The in-process entry for <paramref name="key"/>, expired or not, while its fail-safe window lasts (nothing is checked or recorded).</summary>
    public bool TryGetStaleLocal<T>(in CallKey key, [NotNullWhen(true)] out CacheEntry<T>? entry) => _local.TryGetStale(key, Now, out entry);

    /// <summary>
    /// Keeps a stale answer in memory for the fail-safe throttle, so the next calls are answered without
    /// calling the failing method again; it never outlives the original entry's fail-safe window.
    /// </summary>
    public void KeepFailSafe<T>(in CallKey key, CacheEntry<T> stale, TimeSpan throttle)
    {
        long limit = stale.FailSafeLimit(key.Settings.FailSafe);
        long now = Now;
        long until = throttle.Ticks >= limit - now ? limit : now + throttle.Ticks;
        if (until <= now)
        {
            return;
        }
        KeepLocal(key, new CacheEntry<T>(stale.Value, stale.CreatedUtcTicks, until, stale.Method) { FailSafeUntilUtcTicks = limit });
    }

    /// <summary>Whether the entry was written after every removal that applies to it (its key, its method, its tags, its tenant).</summary>
    private async ValueTask<bool> IsNotRemovedAsync<T>(CallKey key, CacheEntry<T> entry, CancellationToken cancellationToken)
    {
        long removed;
        if (_hasSecondLevel)
        {
            try
            {
                removed = await Removals.LastSharedRemovalAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _recorder.Error(key.Settings, "get", ex);
                return false;
            }
        }
        else
        {
            removed = Removals.LastRemoval(key);
        }
        return entry.CreatedUtcTicks > removed;
    }

    /// <summary>
    /// The second level's entry for a call that found nothing in memory, if the call may be served it:
    /// finished (no continuation token), fresh for the call and written after every removal that
    /// applies (<see cref="IsServableAsync"/>). It is then kept in memory: a fresh object nobody else
    /// holds, of which the caller must take a copy. Null otherwise.
    /// </summary>
    public async ValueTask<CacheEntry<T>?> ReadServableAsync<T>(CallKey key, string keyString, CacheControl? control,
        CancellationToken cancellationToken)
    {
        CacheEntry<T>? entry = await ReadAsync<T>(key, keyString, cancellationToken).ConfigureAwait(false);
        if (entry is null || EntryPolicy.IsUnfinished(entry.Value)
            || !await IsServableAsync(key, entry, control, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        KeepLocal(key, entry);
        return entry;
    }

    /// <summary>Keeps an entry read from the second level in memory (unless it is too large to keep, or one of several recorded samples).</summary>
    public void KeepLocal<T>(in CallKey key, CacheEntry<T> entry)
    {
        if (entry.Sampled)
        {
            return;
        }
        long bytes;
        try
        {
            bytes = _serializers.Measure(entry);
        }
        catch (Exception ex)
        {
            _recorder.Error(key.Settings, "measure", ex);
            return;
        }
        if (bytes <= Options.MaximumEntryBytes)
        {
            _local.Set(key.Identity, entry, bytes);
            if (Removals.LastRemoval(key) >= entry.CreatedUtcTicks)
            {
                // Removed between the caller's check and this write: the removal wins.
                _local.Remove(key, entry);
            }
        }
    }

    /// <summary>
    /// Stores a fresh result, or says why not (counted): the store policy, the result-dependent TTL, a
    /// removal made since the call started, the size limit, or a value that cannot be copied or
    /// serialized. What is kept is a copy nobody else holds unless <paramref name="valueIsPrivate"/>.
    /// </summary>
    public async ValueTask<bool> StoreAsync<T>(CallKey callKey, string? key, T value, TimeSpan ttl, CacheControl? control,
        long callStartedTicks, CancellationToken callerToken, bool valueIsPrivate = false)
    {
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        LlmCachedMethod method = settings.Method;
        if (EntryPolicy.WhyNotStore(value, control, callerToken) is { } reason)
        {
            return _recorder.Skipped(settings, reason);
        }
        if (Options.ResultTtl is { } choose)
        {
            TimeSpan? chosen;
            try
            {
                chosen = choose(new ResultTtlContext(method, value, ttl));
            }
            catch (Exception ex)
            {
                _recorder.Error(settings, "result-ttl", ex);
                return false;
            }
            if (chosen is { } c && c <= TimeSpan.Zero)
            {
                return _recorder.Skipped(settings, SkipReasons.ResultTtl);
            }
            ttl = chosen ?? ttl;
        }
        if (Removals.LastRemoval(callKey) >= callStartedTicks)
        {
            // Evicted while the method ran: what it returned was computed for an entry that no longer exists.
            return _recorder.Skipped(settings, SkipReasons.Removed);
        }
        if (!valueIsPrivate && !TryCopy(settings, value, out value))
        {
            return false;
        }
        CacheEntry<T> entry = NewEntry(value, ttl, method);
        long bytes;
        try
        {
            bytes = _serializers.Measure(entry);
        }
        catch (Exception ex)
        {
            return _recorder.Uncacheable(settings, SkipReasons.NotSerializable, ex);
        }
        if (bytes > Options.MaximumEntryBytes)
        {
            Log.EntryTooLarge(_recorder.Logger, method.Id, bytes, Options.MaximumEntryBytes);
            return _recorder.Skipped(settings, SkipReasons.TooLarge);
        }
        _local.Set(callKey.Identity, entry, bytes);
        if (Removals.LastRemoval(callKey) >= callStartedTicks)
        {
            // Evicted after the check above but before the write (a removal records itself, then drops the
            // in-process entry): whichever came second, the removal wins.
            _local.Remove(callKey, entry);
            return _recorder.Skipped(settings, SkipReasons.Removed);
        }
        _recorder.Stored(settings);
        if (_hasSecondLevel)
        {
            try
            {
                HybridCacheEntryOptions options = ttl == settings.Ttl ? settings.EntryOptions : settings.EntryOptionsFor(ttl);
                // The tiers write in the background (see TieredCache.SetAsync): the caller does not wait for them.
                await _cache.SetAsync(key ?? callKey.ToKeyString(), entry, options, method.Tags, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _recorder.Error(settings, "set", ex);
            }
        }
        // Awaited, unlike the byte tiers: a recording run must find every file written when its calls return.
        if (Snapshots.RecordsRequests)
        {
            Snapshots.Write(callKey, key ?? callKey.ToKeyString(), entry.Value);
        }
        return true;
    }

    /// <summary>A copy of a cached value for one caller; false (counted each time, logged once per method) when this value cannot be copied.</summary>
    public bool TryCopy<T>(LlmCachedMethod.KeySettings settings, T value, out T copy)
    {
        try
        {
            copy = ValueCopier<T>.Copy(value, _runtime.ValueSerializerOptions);
            return true;
        }
        catch (Exception ex)
        {
            // This value only (an unknown content kind, a type without a usable constructor): not kept,
            // not handed out; counted each time, logged once.
            copy = value;
            return _recorder.Uncacheable(settings, SkipReasons.NotCopyable, ex);
        }
    }

    /// <summary>A fresh entry of <paramref name="value"/> living <paramref name="ttl"/> from now.</summary>
    /// <param name="value">The value.</param>
    /// <param name="ttl">How long it lives from now.</param>
    /// <param name="method">The method that produced it.</param>
    /// <param name="createdTicks">
    /// When the value counts as created, if not now: the start of the call that computed it, so that a
    /// removal made while the call ran applies to it wherever it is handed (a joiner of that call).
    /// </param>
    public CacheEntry<T> NewEntry<T>(T value, TimeSpan ttl, LlmCachedMethod method, long? createdTicks = null)
    {
        long now = Now;
        long expires = ttl.Ticks >= DateTime.MaxValue.Ticks - now ? DateTime.MaxValue.Ticks : now + ttl.Ticks;
        return new CacheEntry<T>(value, Math.Min(createdTicks ?? now, now), expires, method);
    }

    private bool MarkUncacheable<T>(LlmCachedMethod.KeySettings settings, string reason, Exception exception)
    {
        _uncacheable.TryAdd(typeof(T), reason);
        return _recorder.Uncacheable(settings, reason, exception);
    }
}
