using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// A tier that is read and never written or purged by this process: a shared warm cache another
/// fleet fills, or a bucket of curated answers. Wrap a tier with it before adding it to
/// <see cref="LlmCacheOptions.Tiers"/>.
/// </summary>
/// <param name="inner">The tier to read from.</param>
public sealed class ReadOnlyTier(IDistributedCache inner) : IDistributedCache
{
    /// <summary>The wrapped tier.</summary>
    public IDistributedCache Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public byte[]? Get(string key) => Inner.Get(key);

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Inner.GetAsync(key, token);

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
