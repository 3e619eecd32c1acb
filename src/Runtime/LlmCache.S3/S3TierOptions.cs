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
}
