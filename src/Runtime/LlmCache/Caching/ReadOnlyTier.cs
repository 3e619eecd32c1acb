using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// A tier that is read and never written or purged by this process: a shared warm cache another
/// fleet fills, or a bucket of curated answers. Wrap a tier with it before adding it to
/// <see cref="LlmCacheOptions.Tiers"/>. Writes and removals stop here; a wrapped
/// <see cref="ICacheTier"/> is also switched to read-only (<see cref="ICacheTier.MakeReadOnly"/>), so
/// its reads never update recency, delete expired entries or sweep the shared store either. The
/// wrapped instance must therefore not serve as a writable tier elsewhere.
/// </summary>
public sealed class ReadOnlyTier : ICacheTier
{
    /// <summary>Wraps <paramref name="inner"/> and switches it to read-only when it supports it.</summary>
    /// <param name="inner">The tier to read from.</param>
    public ReadOnlyTier(IDistributedCache inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        (inner as ICacheTier)?.MakeReadOnly();
    }

    /// <summary>The wrapped tier.</summary>
    public IDistributedCache Inner { get; }

    /// <inheritdoc />
    public byte[]? Get(string key) => Inner.Get(key);

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Inner.GetAsync(key, token);

    /// <inheritdoc />
    public async Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default)
    {
        if (Inner is ICacheTier bounded)
        {
            return await bounded.GetBoundedAsync(key, maximumBytes, token).ConfigureAwait(false);
        }
        byte[]? value = await Inner.GetAsync(key, token).ConfigureAwait(false);
        return value is null || value.LongLength > maximumBytes ? null : new TierValue(value, null);
    }

    /// <inheritdoc />
    public void MakeReadOnly()
    {
    }

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key)
    {
    }

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
    }

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;
}
