namespace LlmCache;

/// <summary>
/// A tier whose entries can be listed by key prefix, for operator tools (the <c>llmcache</c> CLI's
/// <c>purge</c>, <c>copy</c> and <c>stats</c>): the runtime itself never lists. Keys are listed as the
/// runtime wrote them (<c>llmcache:{namespace}:{method-id}:…</c>), without the tier's own key or object
/// prefix; removal goes through <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache.RemoveAsync"/>
/// and reading through <see cref="ICacheTier.GetBoundedAsync"/>.
/// </summary>
/// <remarks>
/// The listing is a scan, not a snapshot: entries written or removed while it runs may or may not be
/// seen, and an entry is listed at most once. Entries the tier already knows to be expired are skipped.
/// </remarks>
public interface IListableCacheTier
{
    /// <summary>Lists the entries whose key starts with <paramref name="keyPrefix"/> (ordinal), in pages, without their values.</summary>
    /// <param name="keyPrefix">The start of the keys wanted; empty for every entry of the tier.</param>
    /// <param name="token">Cancels the listing.</param>
    /// <returns>The entries found, each once.</returns>
    IAsyncEnumerable<TierEntryInfo> ListAsync(string keyPrefix, CancellationToken token = default);
}

/// <summary>One entry found by <see cref="IListableCacheTier.ListAsync"/>.</summary>
/// <param name="Key">The cache key, as the runtime wrote it.</param>
/// <param name="Size">The bytes the tier holds for it (after the tier's own compression), when the listing tells.</param>
/// <param name="Expires">When the tier lets it expire; null when it never does or the listing cannot tell.</param>
/// <param name="Written">When it was written, when the tier records that (S3's last-modified time).</param>
public readonly record struct TierEntryInfo(string Key, long? Size, DateTimeOffset? Expires, DateTimeOffset? Written);
