namespace LlmCache.S3;

/// <summary>Options of the S3 tier.</summary>
public sealed class S3TierOptions
{
    /// <summary>The bucket. Required.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Prepended to every object key (e.g. <c>llm/</c>). Default: none.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>An S3-compatible endpoint (MinIO, s3rver …), addressed path-style. Null: AWS itself, by region.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region (also used to sign requests to other endpoints). Default: <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The access key; when null, the usual AWS credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret key, with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// The session token of temporary credentials (STS, an assumed role, SSO), with <see cref="AccessKey"/>
    /// and <see cref="SecretKey"/>: sent as <c>x-amz-security-token</c> on every request. Default: none.
    /// </summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// Whether requests use HTTPS (LiteLLM's <c>s3_use_ssl</c>). False sends plain HTTP to AWS; for a
    /// <see cref="ServiceUrl"/> the URL's own scheme decides, and false forces <c>http</c>. Default: true.
    /// </summary>
    public bool UseHttps { get; set; } = true;

    /// <summary>
    /// Addresses the bucket in the path (<c>host/bucket/key</c>) rather than the host name. Null (the
    /// default): path style for a <see cref="ServiceUrl"/> (MinIO, s3rver …), virtual hosts for AWS.
    /// </summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>
    /// Accepts any server certificate (LiteLLM's <c>s3_verify=False</c>): only for a test or in-house
    /// endpoint with a self-signed certificate (MinIO), never over a network you do not control. The
    /// tier logs a warning when it is set. Ignored when <see cref="HttpClientFactory"/> is set. Default: false.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; set; }

    /// <summary>
    /// Creates the HTTP clients of the S3 client: a handler trusting a private certificate authority, a
    /// proxy, a recording handler in tests. Null (the default): the SDK's own.
    /// </summary>
    public Amazon.Runtime.HttpClientFactory? HttpClientFactory { get; set; }

    /// <summary>
    /// Writes <c>Cache-Control</c> (<c>immutable, max-age=N, s-maxage=N</c>, N the entry's remaining
    /// seconds) and <c>Expires</c> (the entry's expiry) on every object, as LiteLLM's S3 cache does, so
    /// a CDN or proxy in front of the bucket never serves an object past its entry's life. Default: true.
    /// </summary>
    public bool WriteCacheHeaders { get; set; } = true;

    /// <summary>How long one request may take before it counts as a miss. Default: 2 seconds.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Reads only: the tier never writes or deletes an object (the configuration key <c>ReadOnly</c>
    /// sets it, as does wrapping the tier in <see cref="ReadOnlyTier"/>). Default: false.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// The largest object read through <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// calls; a runtime passes its own limit (<see cref="LlmCacheOptions.MaximumEntryBytes"/>) with every
    /// read. A longer object is a miss, refused on its <c>Content-Length</c> before the body is read.
    /// Default: <see cref="ICacheTier.DefaultMaximumValueBytes"/>.
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
