using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LlmCache;

/// <summary>
/// The second level HybridCache sees: an ordered chain of tiers (disk, then Redis, then S3 …). A read
/// walks down the chain and promotes a hit to the tiers above it; a write goes to every tier; a
/// removal to all. Every tier call runs in that tier's Polly pipeline (timeout, circuit breaker):
/// a failing tier is a miss or a dropped write, never an exception for the caller, and costs nothing
/// while its breaker is open.
/// <para>
/// Reads are bounded: a tier that implements <see cref="ICacheTier"/> is asked for at most
/// <c>MaximumEntryBytes + <see cref="ICacheTier.PayloadOverheadBytes"/></c> and refuses a longer value
/// before transferring or allocating it (a miss). A promoted copy keeps the lifetime the lower tier
/// reports for the entry, so it never outlives the original; the default TTL applies only to tiers
/// that cannot tell (plain <see cref="IDistributedCache"/>).
/// </para>
/// </summary>
internal sealed class TieredCache : IBufferDistributedCache, IDisposable
{
    private readonly Tier[] _tiers;
    private readonly ILogger _logger;
    private readonly Func<TimeSpan> _promotionTtl;
    private readonly Func<int> _maximumEntryBytes;
    private readonly Action<string, string>? _dropped;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _writes = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Tier, string Key), Pending> _pending = new();
    private readonly byte[]? _signingKey;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retryInterval;
    private readonly CancellationTokenSource _stopping = new();
    private int _retrying;
    private volatile bool _disposed;

    /// <param name="tiers">The tiers, fastest first.</param>
    /// <param name="resilience">The pipeline settings.</param>
    /// <param name="logger">Where failures and breaker changes are reported.</param>
    /// <param name="promotionTtl">The lifetime of a promoted copy.</param>
    /// <param name="dropped">Told (tier, operation) whenever a call is skipped or fails.</param>
    /// <param name="breakerChanged">Told (tier, state) whenever a breaker opens or closes.</param>
    /// <param name="maximumEntryBytes">The runtime's <see cref="LlmCacheOptions.MaximumEntryBytes"/> (read on every call, so a reload applies); the default when null.</param>
    /// <param name="signingKey">When set, every value written is signed and every value read is checked (see <c>Sign</c>).</param>
    /// <param name="time">The clock that caps lifetimes to a tier's <see cref="ICacheTier.MaxTtl"/>; the system clock when null.</param>
    public TieredCache(IEnumerable<IDistributedCache> tiers, TierResilienceOptions resilience, ILogger logger, Func<TimeSpan> promotionTtl,
        Action<string, string>? dropped = null, Action<string, string>? breakerChanged = null, Func<int>? maximumEntryBytes = null,
        byte[]? signingKey = null, TimeProvider? time = null)
    {
        _signingKey = signingKey;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _promotionTtl = promotionTtl;
        _maximumEntryBytes = maximumEntryBytes ?? (static () => new LlmCacheOptions().MaximumEntryBytes);
        _dropped = dropped;
        _retryInterval = resilience.BreakDuration;
        _tiers = tiers.Select((cache, index) =>
        {
            var breaker = new CircuitBreakerStateProvider();
            ResiliencePipeline read = Pipeline(cache, index, resilience, logger, breakerChanged, breaker);
            return new Tier(cache, index, read, WritePipeline(read, resilience), breaker);
        }).ToArray();
        Infos = Array.ConvertAll(_tiers, tier => new LlmCacheTierInfo(tier.Name, tier.Index, tier.Cache, () => StateOf(tier.Breaker),
            () => resilience.Timeout) { HitsSource = () => Interlocked.Read(ref tier.Hits) });
    }

    /// <summary>The tiers as operators see them (name, breaker state, probe), in chain order.</summary>
    public IReadOnlyList<LlmCacheTierInfo> Infos { get; }

    private static LlmCacheBreakerState StateOf(CircuitBreakerStateProvider breaker) => breaker.CircuitState switch
    {
        CircuitState.Open => LlmCacheBreakerState.Open,
        CircuitState.HalfOpen => LlmCacheBreakerState.HalfOpen,
        CircuitState.Isolated => LlmCacheBreakerState.Isolated,
        _ => LlmCacheBreakerState.Closed,
    };

    public int Count => _tiers.Length;

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return await TryGetAsync(key, buffer, token).ConfigureAwait(false) ? buffer.WrittenSpan.ToArray() : null;
    }

    public bool TryGet(string key, IBufferWriter<byte> destination) =>
        TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        long limit = (long)_maximumEntryBytes() + ICacheTier.PayloadOverheadBytes;
        for (int i = 0; i < _tiers.Length; i++)
        {
            TierValue? found = await RunAsync<TierValue?>(_tiers[i], "get", static (tier, key, limit, ct) => ReadAsync(tier, key, (long)limit!, ct),
                key, limit, token).ConfigureAwait(false);
            if (found is not { } hit)
            {
                continue;
            }
            if (!TryVerify(key, hit.Value, out int length))
            {
                // Not written by a process holding the secret (forged, or copied from another key): a miss here.
                _dropped?.Invoke(_tiers[i].Name, "verify");
                Log.TierValueForged(_logger, _tiers[i].Index);
                continue;
            }
            destination.Write(hit.Value.AsSpan(0, length));
            if (IsEntry(key))
            {
                Interlocked.Increment(ref _tiers[i].Hits);
            }
            if (i > 0)
            {
                var options = PromotionOptions(hit);
                for (int above = 0; above < i; above++)
                {
                    Track(SetOneAsync(_tiers[above], key, hit.Value, Capped(_tiers[above], options), "promote", CancellationToken.None));
                }
            }
            return true;
        }
        return false;
    }

    /// <summary>A bounded read where the tier supports one; otherwise the whole value, refused afterwards when too long.</summary>
    private static async Task<TierValue?> ReadAsync(IDistributedCache cache, string key, long limit, CancellationToken token)
    {
        if (cache is ICacheTier bounded)
        {
            return await bounded.GetBoundedAsync(key, limit, token).ConfigureAwait(false);
        }
        byte[]? value = await cache.GetAsync(key, token).ConfigureAwait(false);
        return value is null || value.LongLength > limit ? null : new TierValue(value, null);
    }

    /// <summary>The promoted copy expires with the entry it copies; the default TTL only when the tier cannot tell.</summary>
    private DistributedCacheEntryOptions PromotionOptions(TierValue hit) => hit.Expires is { } expires
        ? new DistributedCacheEntryOptions { AbsoluteExpiration = expires }
        : new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _promotionTtl() };

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <summary>
    /// Starts the write to every tier and returns at once: the caller never waits for a tier (each
    /// write is bounded by its pipeline). <see cref="FlushAsync"/> waits for writes in flight.
    /// </summary>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        value = Sign(key, value);
        foreach (Tier tier in _tiers)
        {
            if (!_pending.IsEmpty)
            {
                _pending.TryRemove((tier.Index, key), out _); // the newer write wins over an older pending removal
            }
            Track(SetOneAsync(tier, key, value, Capped(tier, options), "set", CancellationToken.None));
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// An entry's write options within the tier's <see cref="ICacheTier.MaxTtl"/>: unchanged when the
    /// entry expires before the cap, otherwise expiring at the cap. Removal records are never capped
    /// (<see cref="SetEverywhereAsync"/>): a removal must outlive what it removed.
    /// </summary>
    private DistributedCacheEntryOptions Capped(Tier tier, DistributedCacheEntryOptions options)
    {
        if (tier.Cache is not ICacheTier { MaxTtl: { } cap } || cap <= TimeSpan.Zero)
        {
            return options;
        }
        DateTimeOffset now = _time.GetUtcNow();
        if (cap >= DateTimeOffset.MaxValue - now)
        {
            return options;
        }
        DateTimeOffset limit = now + cap;
        DateTimeOffset? requested = options.AbsoluteExpiration
            ?? (options.AbsoluteExpirationRelativeToNow is { } relative && relative < DateTimeOffset.MaxValue - now ? now + relative : null);
        return requested <= limit ? options : new DistributedCacheEntryOptions { AbsoluteExpiration = limit };
    }

    /// <summary>Waits, at most <paramref name="limit"/>, for the writes in flight.</summary>
    public async Task FlushAsync(TimeSpan limit)
    {
        Task[] pending = _writes.Keys.ToArray();
        if (pending.Length == 0)
        {
            return;
        }
        try
        {
            await Task.WhenAll(pending).WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.FlushTimedOut(_logger, pending.Length);
        }
    }

    private void Track(Task write)
    {
        if (write.IsCompleted)
        {
            return;
        }
        _writes.TryAdd(write, 0);
        _ = write.ContinueWith(static (done, state) => ((System.Collections.Concurrent.ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _),
            _writes, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value.ToArray(), options).GetAwaiter().GetResult();

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        new(SetAsync(key, value.ToArray(), options, token));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        foreach (Tier tier in _tiers)
        {
            await RunAsync<bool>(tier, "remove", static async (cache, key, _, ct) =>
            {
                await cache.RemoveAsync(key, ct).ConfigureAwait(false);
                return true;
            }, key, null, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes <paramref name="key"/> from every tier and says whether every one confirmed it. A tier
    /// that could not be reached (failing, or its breaker open) keeps the removal pending: it is tried
    /// again every break duration until it lands, and a later write of the same key cancels it.
    /// </summary>
    public async Task<bool> RemoveEverywhereAsync(string key, CancellationToken token = default)
    {
        bool complete = true;
        foreach (Tier tier in _tiers)
        {
            if (!await RemoveOneAsync(tier, key, token).ConfigureAwait(false))
            {
                complete = false;
                DeferRemoval(tier, key);
            }
        }
        return complete;
    }

    /// <summary>
    /// Writes a small record (a removal's time) to every tier, waiting for each, and says whether every
    /// one confirmed it; a tier that could not be reached gets it later, as a pending removal does.
    /// With <paramref name="supersedes"/>, a tier's record is replaced only when the new value
    /// supersedes the one it holds (is later), on the first attempt and on every retry, so a late or
    /// retried write never takes a record back in time.
    /// </summary>
    public async Task<bool> SetEverywhereAsync(string key, byte[] value, DistributedCacheEntryOptions options,
        Func<byte[], byte[], bool>? supersedes = null, CancellationToken token = default)
    {
        bool complete = true;
        foreach (Tier tier in _tiers)
        {
            var op = new Pending(tier, key, value, options, supersedes);
            if (!await SetRecordAsync(op, token).ConfigureAwait(false))
            {
                complete = false;
                _pending[(tier.Index, key)] = op;
                StartRetrying();
            }
        }
        return complete;
    }

    private async Task<bool> SetRecordAsync(Pending op, CancellationToken token)
    {
        if (op.Supersedes is { } supersedes)
        {
            long limit = (long)_maximumEntryBytes() + ICacheTier.PayloadOverheadBytes;
            TierValue? current = await RunAsync<TierValue?>(op.Tier, "get", static (tier, key, limit, ct) => ReadAsync(tier, key, (long)limit!, ct),
                op.Key, limit, token).ConfigureAwait(false);
            if (current is { } held && TryVerify(op.Key, held.Value, out int length) && !supersedes(op.Value!, held.Value.AsSpan(0, length).ToArray()))
            {
                return true; // the tier already holds a later record
            }
        }
        return await SetOneAsync(op.Tier, op.Key, Sign(op.Key, op.Value!), op.Options!, "set", token).ConfigureAwait(false);
    }

    /// <summary>Operations still waiting for their tier (removals and removal records).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Stops retrying pending operations (the runtime is being disposed).</summary>
    public void Dispose()
    {
        _disposed = true;
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Task<bool> RemoveOneAsync(Tier tier, string key, CancellationToken token) =>
        RunAsync<bool>(tier, "remove", static async (cache, key, _, ct) =>
        {
            await cache.RemoveAsync(key, ct).ConfigureAwait(false);
            return true;
        }, key, null, token);

    private void DeferRemoval(Tier tier, string key)
    {
        _pending[(tier.Index, key)] = new Pending(tier, key, Value: null, Options: null, Supersedes: null);
        StartRetrying();
    }

    private void StartRetrying()
    {
        if (Interlocked.Exchange(ref _retrying, 1) == 0)
        {
            _ = RetryPendingAsync();
        }
    }

    private async Task RetryPendingAsync()
    {
        try
        {
            while (!_pending.IsEmpty && !_disposed)
            {
                await Task.Delay(_retryInterval, _stopping.Token).ConfigureAwait(false);
                foreach (KeyValuePair<(int Tier, string Key), Pending> pair in _pending)
                {
                    Pending op = pair.Value;
                    bool done = op.Value is null
                        ? await RemoveOneAsync(op.Tier, op.Key, _stopping.Token).ConfigureAwait(false)
                        : await SetRecordAsync(op, _stopping.Token).ConfigureAwait(false);
                    if (done)
                    {
                        _pending.TryRemove(pair);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed while waiting: pending operations end with the runtime.
        }
        finally
        {
            Volatile.Write(ref _retrying, 0);
            if (!_pending.IsEmpty && !_disposed && Interlocked.Exchange(ref _retrying, 1) == 0)
            {
                _ = RetryPendingAsync();
            }
        }
    }

    // With a signing key (LlmCacheOptions.KeySecret), every value a tier holds ends with a tag: the
    // first 16 bytes of HMAC-SHA256 over its key and its bytes. A value forged by someone who can
    // write to a shared tier but lacks the secret, or a valid value copied under another key, fails
    // the check and is a miss. Promotions copy the tagged bytes as they are.
    private const int SignatureSize = 16;

    private byte[] Sign(string key, byte[] value)
    {
        if (_signingKey is null)
        {
            return value;
        }
        byte[] signed = new byte[value.Length + SignatureSize];
        value.CopyTo(signed, 0);
        Signature(key, value, signed.AsSpan(value.Length));
        return signed;
    }

    private bool TryVerify(string key, byte[] stored, out int length)
    {
        length = stored.Length;
        if (_signingKey is null)
        {
            return true;
        }
        length = stored.Length - SignatureSize;
        if (length < 0)
        {
            return false;
        }
        Span<byte> expected = stackalloc byte[SignatureSize];
        Signature(key, stored.AsSpan(0, length), expected);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, stored.AsSpan(length));
    }

    private void Signature(string key, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        using var hmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(System.Security.Cryptography.HashAlgorithmName.SHA256, _signingKey!);
        byte[] keyBytes = System.Text.Encoding.UTF8.GetBytes(key);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, keyBytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(keyBytes);
        hmac.AppendData(value);
        Span<byte> full = stackalloc byte[32];
        hmac.GetHashAndReset(full);
        full[..SignatureSize].CopyTo(destination);
    }

    /// <summary>An operation waiting for its tier: a removal (no value) or a record write (its unsigned value).</summary>
    private sealed record Pending(Tier Tier, string Key, byte[]? Value, DistributedCacheEntryOptions? Options, Func<byte[], byte[], bool>? Supersedes);

    private Task<bool> SetOneAsync(Tier tier, string key, byte[] value, DistributedCacheEntryOptions options, string operation, CancellationToken token) =>
        RunAsync<bool>(tier, operation, static async (cache, key, state, ct) =>
        {
            var (value, options) = ((byte[], DistributedCacheEntryOptions))state!;
            await cache.SetAsync(key, value, options, ct).ConfigureAwait(false);
            return true;
        }, key, (value, options), token);

    private async Task<T?> RunAsync<T>(Tier tier, string operation, Func<IDistributedCache, string, object?, CancellationToken, Task<T?>> call,
        string key, object? state, CancellationToken token)
    {
        ResiliencePipeline pipeline = operation == "get" ? tier.Read : tier.Write;
        try
        {
            return await pipeline.ExecuteAsync(
                static async (s, ct) => await s.call(s.cache, s.key, s.state, ct).ConfigureAwait(false),
                (call, cache: tier.Cache, key, state),
                token).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            // The breaker is open: nothing is spent on this tier.
            _dropped?.Invoke(tier.Name, operation);
            return default;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            _dropped?.Invoke(tier.Name, operation);
            Log.TierFailed(_logger, tier.Index, operation, ex);
            return default;
        }
    }

    private static ResiliencePipeline Pipeline(IDistributedCache cache, int index, TierResilienceOptions options, ILogger logger,
        Action<string, string>? breakerChanged, CircuitBreakerStateProvider stateProvider)
    {
        string name = TierName(cache, index);
        return new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = Math.Max(2, options.MinimumThroughput),
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = stateProvider,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(static ex => ex is not OperationCanceledException || ex is TimeoutRejectedException),
                OnOpened = args =>
                {
                    Log.BreakerOpened(logger, name, args.BreakDuration);
                    breakerChanged?.Invoke(name, "open");
                    return default;
                },
                OnClosed = _ =>
                {
                    Log.BreakerClosed(logger, name);
                    breakerChanged?.Invoke(name, "closed");
                    return default;
                },
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    /// <summary>Writes and removals: retries (idempotent calls only) around the read pipeline, whose breaker they share.</summary>
    private static ResiliencePipeline WritePipeline(ResiliencePipeline read, TierResilienceOptions options)
    {
        if (options.WriteRetries <= 0)
        {
            return read;
        }
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.WriteRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(static ex =>
                    ex is not BrokenCircuitException && (ex is not OperationCanceledException || ex is TimeoutRejectedException)),
            })
            .AddPipeline(read)
            .Build();
    }

    private static string TierName(IDistributedCache cache, int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"
        + (cache is ConfiguredTier configured ? configured.Kind : cache.GetType().Name);

    private sealed record Tier(IDistributedCache Cache, int Index, ResiliencePipeline Read, ResiliencePipeline Write, CircuitBreakerStateProvider Breaker)
    {
        public string Name { get; } = TierName(Cache, Index);

        /// <summary>Entries this tier answered a read with (removal records excluded): its hits, for <see cref="LlmCacheTierInfo.Hits"/>.</summary>
        public long Hits;
    }

    // Removal records ("llmcache:{ns}:~tag:…", "~tenant:…") are not entries: a method id never starts with '~'.
    private static bool IsEntry(string key) => !key.Contains(":~", StringComparison.Ordinal);
}
