using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace LlmCache.S3;

public sealed partial class S3CacheTier : IListableCacheTier
{
    /// <summary>
    /// Lists the objects under the object key of <paramref name="keyPrefix"/> (<see cref="ObjectKey"/>'s
    /// mapping, <c>:</c> as <c>/</c>) with <c>ListObjectsV2</c>, a page of up to 1000 per request. Keys are
    /// mapped back (<see cref="S3TierOptions.Prefix"/> removed, <c>/</c> as <c>:</c>), which is exact for
    /// the runtime's keys (they hold no <c>/</c> of their own). A listing does not show the expiry
    /// metadata: <see cref="TierEntryInfo.Expires"/> is null, <see cref="TierEntryInfo.Written"/> is the
    /// object's last-modified time; <see cref="GetBoundedAsync"/> reads the expiry with the value.
    /// </summary>
    /// <param name="keyPrefix">The start of the keys wanted; empty for every object under the tier's prefix.</param>
    /// <param name="token">Cancels the listing.</param>
    /// <returns>The entries, with their object size and last-modified time.</returns>
    public async IAsyncEnumerable<TierEntryInfo> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        string objectPrefix = keyPrefix.Length == 0 ? _options.Prefix.TrimStart('/') : ObjectKey(keyPrefix);
        string tierPrefix = _options.Prefix.Length == 0 ? "" : ObjectKey("");
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = objectPrefix, MaxKeys = 1000 };
        while (true)
        {
            ListObjectsV2Response page = await _client.ListObjectsV2Async(request, token).ConfigureAwait(false);
            foreach (S3Object item in page.S3Objects ?? [])
            {
                if (!item.Key.StartsWith(tierPrefix, StringComparison.Ordinal))
                {
                    continue;
                }
                string key = item.Key[tierPrefix.Length..].Replace('/', ':');
                DateTimeOffset? written = item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : null;
                yield return new TierEntryInfo(key, item.Size, Expires: null, written);
            }
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
    }
}
