using System.Globalization;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCache.S3;

/// <summary>
/// The long-retention tier: one object per entry at <c>prefix + key</c> with <c>:</c> mapped to <c>/</c>
/// (sanitized: no <c>..</c>, no leading <c>/</c>, bounded length). The expiry travels as object
/// metadata and is enforced on read: an expired object is a miss and stays where it is. Reads never
/// delete: between the read and a delete another process may write a fresh value under the key, and a
/// conditional delete (<c>If-Match</c> on the ETag read) is not honoured by every S3-compatible server,
/// so the race could not be closed; physical expiry is the job of a bucket lifecycle rule on the prefix
/// (see the README). An object longer than the read limit is refused on its <c>Content-Length</c>
/// before its body is read. Failures throw, so the runtime's circuit breaker sees them (there a
/// failure is a miss).
/// </summary>
public sealed partial class S3CacheTier : ICacheTier, IDisposable
{
    /// <summary>The metadata entry holding the expiry (UTC ticks).</summary>
    public const string ExpiresMetadata = "x-amz-meta-llmcache-expires";

    private const int MaxKeyBytes = 1024;

    private readonly S3TierOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly AmazonS3Client _client;
    private volatile bool _readOnly;

    /// <summary>Creates the tier and its client.</summary>
    /// <param name="options">Bucket, endpoint and credentials.</param>
    /// <param name="logger">Where failures are reported.</param>
    /// <param name="timeProvider">The clock for expiry; the system clock when null.</param>
    public S3CacheTier(S3TierOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new ArgumentException("The S3 tier needs a bucket.", nameof(options));
        }
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _readOnly = options.ReadOnly;
        var config = new AmazonS3Config
        {
            Timeout = options.OperationTimeout,
            MaxErrorRetry = 1,
            // Compatible endpoints do not all speak the newer checksum trailers: only when required.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = options.UseHttps || !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? url : "http://" + url["https://".Length..];
            config.ForcePathStyle = options.ForcePathStyle ?? true;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
            config.ForcePathStyle = options.ForcePathStyle ?? false;
            config.UseHttp = !options.UseHttps;
        }
        if (options.HttpClientFactory is { } factory)
        {
            config.HttpClientFactory = factory;
        }
        else if (options.AcceptAnyServerCertificate)
        {
            Log.CertificateChecksOff(_logger, options.ServiceUrl ?? options.Region);
            config.HttpClientFactory = new AnyCertificateHttpClientFactory();
        }
        _client = Credentials(options) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>The explicit credentials of <paramref name="options"/> (with a session token when set), or null for the SDK's chain.</summary>
    private static AWSCredentials? Credentials(S3TierOptions options) => options.AccessKey is not { } access ? null
        : options.SessionToken is { Length: > 0 } token ? new SessionAWSCredentials(access, options.SecretKey, token)
        : new BasicAWSCredentials(access, options.SecretKey);

    /// <summary>HTTP clients that accept any server certificate (<see cref="S3TierOptions.AcceptAnyServerCertificate"/>).</summary>
    private sealed class AnyCertificateHttpClientFactory : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
    }

    /// <summary>The object key of a cache key: the prefix, then the key with <c>:</c> as <c>/</c>, sanitized.</summary>
    /// <param name="key">The cache key.</param>
    public string ObjectKey(string key)
    {
        var text = new StringBuilder(_options.Prefix.Length + key.Length);
        text.Append(_options.Prefix);
        foreach (char c in key)
        {
            text.Append(c == ':' ? '/' : c);
        }
        string objectKey = text.ToString().Replace("..", "_", StringComparison.Ordinal).TrimStart('/');
        while (objectKey.Contains("//", StringComparison.Ordinal))
        {
            objectKey = objectKey.Replace("//", "/", StringComparison.Ordinal);
        }
        if (Encoding.UTF8.GetByteCount(objectKey) > MaxKeyBytes)
        {
            throw new ArgumentException($"The object key for '{key}' is longer than {MaxKeyBytes} bytes.", nameof(key));
        }
        return objectKey;
    }

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        (await GetBoundedAsync(key, _options.MaximumValueBytes, token).ConfigureAwait(false))?.Value;

    /// <inheritdoc />
    public async Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default)
    {
        string objectKey = ObjectKey(key);
        try
        {
            using GetObjectResponse response = await _client.GetObjectAsync(_options.Bucket, objectKey, token).ConfigureAwait(false);
            string? expires = response.Metadata[ExpiresMetadata];
            long? expiresTicks = expires is not null && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out long ticks) ? ticks : null;
            if (expiresTicks <= _time.GetUtcNow().UtcTicks)
            {
                return null; // expired: a miss; never deleted here (see the type's remarks)
            }
            if (response.ContentLength > maximumBytes)
            {
                // Refused on the headers: disposing the response drops the connection with the body unread.
                Log.ObjectTooLarge(_logger, objectKey, response.ContentLength, maximumBytes);
                return null;
            }
            byte[]? value = await ReadBoundedAsync(response.ResponseStream, response.ContentLength, maximumBytes, token).ConfigureAwait(false);
            if (value is null)
            {
                Log.ObjectTooLarge(_logger, objectKey, -1, maximumBytes);
                return null;
            }
            DateTimeOffset? expiry = expiresTicks is { } t && t < DateTime.MaxValue.Ticks ? new DateTimeOffset(t, TimeSpan.Zero) : null;
            return new TierValue(value, expiry);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The body, never more than <paramref name="maximumBytes"/> of it: a server that sent no length, or
    /// a wrong one, still cannot make the tier buffer more (null then).
    /// </summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, long contentLength, long maximumBytes, CancellationToken token)
    {
        if (contentLength >= 0)
        {
            byte[] exact = new byte[contentLength];
            await body.ReadExactlyAsync(exact, token).ConfigureAwait(false);
            // Anything after the announced length means the length lied.
            return await body.ReadAsync(new byte[1], token).ConfigureAwait(false) == 0 ? exact : null;
        }
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, token).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maximumBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <inheritdoc />
    public TimeSpan? MaxTtl => _options.MaxTtl;

    /// <inheritdoc />
    public void MakeReadOnly() => _readOnly = true;

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        if (_readOnly)
        {
            return;
        }
        long now = _time.GetUtcNow().UtcTicks;
        long expires = options.AbsoluteExpiration?.UtcTicks
            ?? ((options.AbsoluteExpirationRelativeToNow ?? options.SlidingExpiration) is { } relative ? now + relative.Ticks : DateTime.MaxValue.Ticks);
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            InputStream = new MemoryStream(value, writable: false),
            ContentType = "application/octet-stream",
            // aws-chunked framing is stored verbatim by some compatible servers: send plain bodies.
            UseChunkEncoding = false,
        };
        request.Metadata.Add(ExpiresMetadata, expires.ToString(CultureInfo.InvariantCulture));
        if (_options.WriteCacheHeaders)
        {
            // As LiteLLM writes them: a proxy or CDN in front of the bucket keeps the object no longer than the entry.
            long seconds = expires >= DateTime.MaxValue.Ticks ? 31_536_000 : Math.Max(0, (expires - now) / TimeSpan.TicksPerSecond);
            request.Headers.CacheControl = string.Create(CultureInfo.InvariantCulture, $"immutable, max-age={seconds}, s-maxage={seconds}");
            if (expires < DateTime.MaxValue.Ticks)
            {
                request.Headers.Expires = new DateTime(expires, DateTimeKind.Utc);
            }
        }
        await _client.PutObjectAsync(request, token).ConfigureAwait(false);
    }

    /// <summary>Writes many entries with at most <paramref name="concurrency"/> requests in flight.</summary>
    /// <param name="entries">Keys, values and lifetimes.</param>
    /// <param name="concurrency">Requests in flight at most.</param>
    /// <param name="token">Cancels the batch.</param>
    public Task SetManyAsync(IEnumerable<(string Key, byte[] Value, TimeSpan Ttl)> entries, int concurrency = 8, CancellationToken token = default) =>
        Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = token },
            async (entry, ct) => await SetAsync(entry.Key, entry.Value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = entry.Ttl }, ct).ConfigureAwait(false));

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) =>
        _readOnly ? Task.CompletedTask : _client.DeleteObjectAsync(_options.Bucket, ObjectKey(key), token);

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static partial class Log
    {
        // 301 (a failed background delete of an expired object) is retired: reads no longer delete.

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "LlmCache S3 tier refused object {ObjectKey} of {Length} bytes (the limit is {Limit}); treated as a miss")]
        public static partial void ObjectTooLarge(ILogger logger, string objectKey, long length, long limit);

        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "LlmCache S3 tier accepts any server certificate for {Endpoint} (AcceptAnyServerCertificate): use it only with a test or in-house endpoint")]
        public static partial void CertificateChecksOff(ILogger logger, string endpoint);
    }
}
