using StackExchange.Redis;

namespace LlmCache.Redis;

/// <summary>Options of the Redis tier.</summary>
public sealed class RedisTierOptions
{
    /// <summary>A StackExchange.Redis configuration string: <c>host:port[,password=…][,user=…][,ssl=true]</c>; cluster and sentinel forms work too.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prepended to every key, to share one Redis between applications. Default: none.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// The pub/sub channel for cross-process invalidation; the tier subscribes and publishes on
    /// <see cref="KeyPrefix"/> followed by this name, so applications that share one Redis under
    /// different prefixes never see each other's invalidations. Default: <c>llmcache:invalidate</c>.
    /// </summary>
    public string Channel { get; set; } = "llmcache:invalidate";

    /// <summary>
    /// How long one Redis operation may take before it counts as a miss. Default: 250 ms — the LLM
    /// call is worth more than the cache.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long connecting may take at start. Default: 2 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Values of at least this many bytes are stored Brotli-compressed (when that makes them smaller);
    /// shorter ones are stored as they are. A negative value turns compression off. Default: 1024 bytes.
    /// </summary>
    public int CompressionThreshold { get; set; } = 1024;

    /// <summary>The Brotli quality, 0 (fastest) to 11 (smallest). Default: 1 — most of the saving on text for a few microseconds.</summary>
    public int CompressionQuality { get; set; } = 1;

    /// <summary>
    /// Adjusts the parsed connection options before connecting, for what a configuration string cannot
    /// say: trusting a private certificate authority (<see cref="ConfigurationOptions.TrustIssuer(System.Security.Cryptography.X509Certificates.X509Certificate2)"/>),
    /// a client certificate, a custom validation callback. Default: none.
    /// </summary>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>
    /// Reads only: the tier never writes or removes a key (the configuration key <c>ReadOnly</c> sets it,
    /// as does wrapping the tier in <see cref="ReadOnlyTier"/>). Default: false.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// The largest value read through <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// calls; a runtime passes its own limit (<see cref="LlmCacheOptions.MaximumEntryBytes"/>) with every
    /// read. A longer value is a miss, refused inside Redis before it is sent. Default:
    /// <see cref="ICacheTier.DefaultMaximumValueBytes"/>.
    /// </summary>
    public long MaximumValueBytes { get; set; } = ICacheTier.DefaultMaximumValueBytes;

    /// <summary>
    /// The longest this tier keeps an entry (LiteLLM's <c>default_in_redis_ttl</c>, per tier): a write
    /// or promotion asking for a longer life is stored with this one, so the tier drops the entry sooner
    /// (its fail-safe copy too). It never makes an entry live longer, and freshness is still the entry's
    /// own: the runtime serves nothing older than the call's TTL and maximum age. Bound from the tier's
    /// section (<c>MaxTtl: "00:10:00"</c>). Null (the default): the entry's lifetime.
    /// </summary>
    public TimeSpan? MaxTtl { get; set; }
}
