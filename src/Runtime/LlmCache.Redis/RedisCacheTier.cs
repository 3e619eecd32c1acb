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
/// </summary>
public sealed partial class RedisCacheTier : IDistributedCache, ICacheInvalidationBus, IDisposable
{
    private const string TagPrefix = "tag:";
    private const string KeyMessagePrefix = "key:";

    private readonly RedisTierOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly string _self = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _disposed = new();

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
        ConfigurationOptions configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        options.ConfigureConnection?.Invoke(configuration);
        _redis = ConnectionMultiplexer.Connect(configuration);
        _channel = RedisChannel.Literal(options.Channel);
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
        using Lease<byte>? stored = _redis.GetDatabase().StringGetLease(Key(key));
        return stored is null ? null : Decode(key, stored.Span);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        using Lease<byte>? stored = await _redis.GetDatabase().StringGetLeaseAsync(Key(key)).WaitAsync(_options.OperationTimeout, token).ConfigureAwait(false);
        return stored is null ? null : Decode(key, stored.Span);
    }

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        _redis.GetDatabase().StringSet(Key(key), Encode(value), Expiry(options));

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        _redis.GetDatabase().StringSetAsync(Key(key), Encode(value), Expiry(options)).WaitAsync(_options.OperationTimeout, token);

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key) => _redis.GetDatabase().KeyDelete(Key(key));

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) =>
        _redis.GetDatabase().KeyDeleteAsync(Key(key)).WaitAsync(_options.OperationTimeout, token);

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

    private byte[]? Decode(string key, ReadOnlySpan<byte> stored)
    {
        byte[]? value = RedisValueFormat.Decode(stored);
        if (value is null)
        {
            Log.UnreadableValue(_logger, key);
        }
        return value;
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
    }
}
