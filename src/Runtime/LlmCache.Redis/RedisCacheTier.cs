using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmCache.Redis;

/// <summary>
/// The shared tier: values in Redis strings with native expiry (<c>SET … PX</c>), Brotli-compressed
/// from <see cref="RedisTierOptions.CompressionThreshold"/> bytes on, an optional key prefix, and
/// removals published on a channel so every process drops its in-process copy. Every
/// call is bounded by <see cref="RedisTierOptions.OperationTimeout"/> and throws on failure, so the
/// runtime's circuit breaker sees it (there a failure is a miss); the multiplexer reconnects by itself.
/// <para>
/// A read is one round trip to a small script (run by its SHA-1, sent in full once per server): it
/// answers nothing for a value longer than the read limit, so a huge or forged value is never sent,
/// and returns the key's remaining lifetime with the value, for promotion to the tiers above.
/// </para>
/// </summary>
public sealed partial class RedisCacheTier : ICacheTier, ICacheInvalidationBus, IDisposable
{
    // Values are never empty (a format byte comes first), so a length of 0 is a missing key.
    private const string ReadScript = """
        local n = redis.call('STRLEN', KEYS[1])
        if n == 0 then return false end
        if n > tonumber(ARGV[1]) then return n end
        return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}
        """;

#pragma warning disable CA5350 // SHA-1 names the script for EVALSHA, as Redis requires; it protects nothing.
    private static readonly byte[] s_readScriptHash = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(ReadScript));
#pragma warning restore CA5350

    private const string TagPrefix = "tag:";
    private const string KeyMessagePrefix = "key:";

    private readonly RedisTierOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly string _self = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _disposed = new();
    private volatile bool _readOnly;

    /// <summary>Connects (in the background if the server is not there yet) and subscribes to invalidations.</summary>
    /// <param name="options">The connection and behaviour.</param>
    /// <param name="logger">Where failures are reported.</param>
    public RedisCacheTier(RedisTierOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CompressionQuality, 0, nameof(options.CompressionQuality));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.CompressionQuality, 11, nameof(options.CompressionQuality));
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _readOnly = options.ReadOnly;
        ConfigurationOptions configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        options.ConfigureConnection?.Invoke(configuration);
        _redis = ConnectionMultiplexer.Connect(configuration);
        _channel = RedisChannel.Literal(options.KeyPrefix + options.Channel);
        // Subscribing must never fail construction (a slow or absent server is a miss, not an error):
        // it happens in the background, retried until it takes; the multiplexer re-subscribes after reconnects.
        Subscribed = SubscribeAsync();
    }

    /// <summary>Completes once cross-process invalidations are being received (or the tier is disposed).</summary>
    public Task Subscribed { get; }

    /// <inheritdoc />
    public event Action<string>? KeyInvalidated;

    /// <inheritdoc />
    public event Action<string>? TagInvalidated;

    /// <inheritdoc />
    public byte[]? Get(string key)
    {
        RedisKey[] keys = [Key(key)];
        RedisValue[] args = [RedisValueFormat.StoredLimit(_options.MaximumValueBytes)];
        IDatabase db = _redis.GetDatabase();
        RedisResult result;
        try
        {
            result = db.ScriptEvaluate(s_readScriptHash, keys, args);
        }
        catch (RedisServerException ex) when (IsNoScript(ex))
        {
            result = db.ScriptEvaluate(ReadScript, keys, args);
        }
        return Read(key, result, _options.MaximumValueBytes)?.Value;
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        (await GetBoundedAsync(key, _options.MaximumValueBytes, token).ConfigureAwait(false))?.Value;

    /// <inheritdoc />
    public async Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default)
    {
        RedisKey[] keys = [Key(key)];
        RedisValue[] args = [RedisValueFormat.StoredLimit(maximumBytes)];
        IDatabase db = _redis.GetDatabase();
        RedisResult result;
        try
        {
            result = await db.ScriptEvaluateAsync(s_readScriptHash, keys, args).WaitAsync(_options.OperationTimeout, token).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsNoScript(ex))
        {
            // First read on this server (or after SCRIPT FLUSH): EVAL sends the text and caches it there.
            result = await db.ScriptEvaluateAsync(ReadScript, keys, args).WaitAsync(_options.OperationTimeout, token).ConfigureAwait(false);
        }
        return Read(key, result, maximumBytes);
    }

    /// <inheritdoc />
    public TimeSpan? MaxTtl => _options.MaxTtl;

    /// <inheritdoc />
    public void MakeReadOnly() => _readOnly = true;

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        if (!_readOnly)
        {
            _redis.GetDatabase().StringSet(Key(key), Encode(value), Expiry(options));
        }
    }

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        _readOnly ? Task.CompletedTask
            : _redis.GetDatabase().StringSetAsync(Key(key), Encode(value), Expiry(options)).WaitAsync(_options.OperationTimeout, token);

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key)
    {
        if (!_readOnly)
        {
            _redis.GetDatabase().KeyDelete(Key(key));
        }
    }

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) =>
        _readOnly ? Task.CompletedTask : _redis.GetDatabase().KeyDeleteAsync(Key(key)).WaitAsync(_options.OperationTimeout, token);

    /// <inheritdoc />
    public Task PublishKeyAsync(string key) => Publish(KeyMessagePrefix + key);

    /// <inheritdoc />
    public Task PublishTagAsync(string tag) => Publish(TagPrefix + tag);

    /// <summary>Whether the multiplexer is connected right now.</summary>
    public bool IsConnected => _redis.IsConnected;

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed.Cancel();
        _redis.Dispose();
        _disposed.Dispose();
    }

    private async Task SubscribeAsync()
    {
        CancellationToken stop = _disposed.Token;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            try
            {
                await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.RedisFailed(_logger, "subscribe", ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 << Math.Min(attempt, 6), 5_000)), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private Task<long> Publish(string body) =>
        GuardAsync(() => _redis.GetSubscriber().PublishAsync(_channel, _self + "|" + body).WaitAsync(_options.OperationTimeout), 0L, "publish");

    private void OnMessage(RedisValue message)
    {
        string text = message.ToString();
        int bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0 || text.AsSpan(0, bar).SequenceEqual(_self))
        {
            return; // our own removal: already applied here
        }
        string body = text[(bar + 1)..];
        if (body.StartsWith(KeyMessagePrefix, StringComparison.Ordinal))
        {
            KeyInvalidated?.Invoke(body[KeyMessagePrefix.Length..]);
        }
        else if (body.StartsWith(TagPrefix, StringComparison.Ordinal))
        {
            TagInvalidated?.Invoke(body[TagPrefix.Length..]);
        }
    }

    private RedisKey Key(string key) => _options.KeyPrefix + key;

    private byte[] Encode(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return RedisValueFormat.Encode(value, _options.CompressionThreshold, _options.CompressionQuality);
    }

    private static bool IsNoScript(RedisServerException ex) => ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    /// <summary>The script's answer: nothing (a miss), a length (too long: a miss), or the stored bytes and the key's PTTL.</summary>
    private TierValue? Read(string key, RedisResult result, long maximumBytes)
    {
        if (result.IsNull)
        {
            return null;
        }
        if (result.Resp2Type == ResultType.Integer)
        {
            Log.ValueTooLarge(_logger, key, (long)result, maximumBytes);
            return null;
        }
        byte[]? stored = (byte[]?)result[0];
        if (stored is null)
        {
            return null;
        }
        byte[]? value = RedisValueFormat.Decode(stored, maximumBytes, out bool tooLarge);
        if (value is null)
        {
            if (tooLarge)
            {
                Log.ValueTooLarge(_logger, key, stored.LongLength, maximumBytes);
            }
            else
            {
                Log.UnreadableValue(_logger, key);
            }
            return null;
        }
        long ttl = (long)result[1]; // -1: no expiry; -2: gone meanwhile (the value was still read)
        return new TierValue(value, ttl >= 0 ? DateTimeOffset.UtcNow.AddMilliseconds(ttl) : null);
    }

    private static Expiration Expiry(DistributedCacheEntryOptions options)
    {
        if (options.AbsoluteExpiration is { } absolute)
        {
            TimeSpan left = absolute - DateTimeOffset.UtcNow;
            return new Expiration(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        }
        TimeSpan? relative = options.AbsoluteExpirationRelativeToNow ?? options.SlidingExpiration;
        return relative is { } r ? new Expiration(r) : Expiration.Persist;
    }


    private async Task<T> GuardAsync<T>(Func<Task<T>> work, T fallback, string operation)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.RedisFailed(_logger, operation, ex);
            return fallback;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "LlmCache Redis tier failed to {Operation}; treated as a miss")]
        public static partial void RedisFailed(ILogger logger, string operation, Exception exception);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "LlmCache Redis tier found a value it cannot read under {Key}; treated as a miss")]
        public static partial void UnreadableValue(ILogger logger, string key);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "LlmCache Redis tier refused the value under {Key}: {Length} bytes, the limit is {Limit}; treated as a miss")]
        public static partial void ValueTooLarge(ILogger logger, string key, long length, long limit);
    }
}
