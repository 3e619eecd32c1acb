using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// What a tier of the chain (<see cref="LlmCacheOptions.Tiers"/>) offers beyond
/// <see cref="IDistributedCache"/>: a bounded read that also reports the entry's expiry, and a
/// read-only switch. The runtime uses these members when a tier implements them; a plain
/// <see cref="IDistributedCache"/> still works as a tier, read whole and promoted with the default TTL.
/// </summary>
public interface ICacheTier : IDistributedCache
{
    /// <summary>
    /// The limit the tier applies to reads through <see cref="IDistributedCache"/> itself (not through
    /// <see cref="GetBoundedAsync"/>): the default <see cref="LlmCacheOptions.MaximumEntryBytes"/> plus
    /// <see cref="PayloadOverheadBytes"/>.
    /// </summary>
    const long DefaultMaximumValueBytes = 4 * 1024 * 1024 + PayloadOverheadBytes;

    /// <summary>
    /// What a stored value may hold beyond the serialized entry that <see cref="LlmCacheOptions.MaximumEntryBytes"/>
    /// bounds: HybridCache's own header (key, tags, times). The runtime reads at most
    /// <c>MaximumEntryBytes + PayloadOverheadBytes</c> from a tier.
    /// </summary>
    const long PayloadOverheadBytes = 64 * 1024;

    /// <summary>
    /// Reads the value under <paramref name="key"/> with the expiry the tier holds for it. A value
    /// longer than <paramref name="maximumBytes"/> is a miss (logged), found out before the value is
    /// transferred or allocated; so is an expired one. Failures throw, as for the other members.
    /// </summary>
    /// <param name="key">The cache key.</param>
    /// <param name="maximumBytes">The largest stored value the caller accepts.</param>
    /// <param name="token">Cancels the read.</param>
    /// <returns>The value and its expiry, or <see langword="null"/> on a miss.</returns>
    Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default);

    /// <summary>
    /// From now on the tier never writes, deletes, sweeps or updates anything in its store: writes and
    /// removals are ignored, reads of expired entries leave them in place. Called by
    /// <see cref="ReadOnlyTier"/>; the same switch is the tiers' <c>ReadOnly</c> option.
    /// </summary>
    void MakeReadOnly();

    /// <summary>
    /// The longest the tier keeps an entry (the tiers' <c>MaxTtl</c> option): the runtime stores and
    /// promotes an entry to this tier with at most this lifetime. Null (the default): the entry's own.
    /// </summary>
    TimeSpan? MaxTtl => null;
}
