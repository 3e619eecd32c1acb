using StackExchange.Redis;

namespace LlmCache.Redis;

/// <summary>Options of the Redis tier.</summary>
public sealed class RedisTierOptions
{
    /// <summary>A StackExchange.Redis configuration string: <c>host:port[,password=…][,user=…][,ssl=true]</c>; cluster and sentinel forms work too.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Prepended to every key, to share one Redis between applications. Default: none.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>The pub/sub channel for cross-process invalidation. Default: <c>llmcache:invalidate</c>.</summary>
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
}
