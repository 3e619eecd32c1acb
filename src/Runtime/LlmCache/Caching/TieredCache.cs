using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace LlmCache;

/// <summary>
/// The second level HybridCache sees: an ordered chain of tiers (disk, then Redis, then S3 …). A read
/// walks down the chain and promotes a hit to the tiers above it; a write goes to every tier; a
/// removal to all. A tier that fails is a miss (or a skipped write), never an exception for the caller.
/// </summary>
internal sealed class TieredCache : IBufferDistributedCache
{
    private readonly IDistributedCache[] _tiers;
    private readonly ILogger _logger;
    private readonly Func<TimeSpan> _promotionTtl;

    public TieredCache(IEnumerable<IDistributedCache> tiers, ILogger logger, Func<TimeSpan> promotionTtl)
    {
        _tiers = tiers.ToArray();
        _logger = logger;
        _promotionTtl = promotionTtl;
    }

    public int Count => _tiers.Length;

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return await TryGetAsync(key, buffer, token).ConfigureAwait(false) ? buffer.WrittenSpan.ToArray() : null;
    }

    public bool TryGet(string key, IBufferWriter<byte> destination) =>
        TryGetAsync(key, destination).AsTask().GetAwaiter().GetResult();

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        for (int i = 0; i < _tiers.Length; i++)
        {
            byte[]? found;
            try
            {
                found = await _tiers[i].GetAsync(key, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Log.TierFailed(_logger, i, "get", ex);
                continue;
            }
            if (found is null)
            {
                continue;
            }
            destination.Write(found);
            if (i > 0)
            {
                await PromoteAsync(key, found, i, token).ConfigureAwait(false);
            }
            return true;
        }
        return false;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        for (int i = 0; i < _tiers.Length; i++)
        {
            try
            {
                await _tiers[i].SetAsync(key, value, options, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Log.TierFailed(_logger, i, "set", ex);
            }
        }
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value.ToArray(), options).GetAwaiter().GetResult();

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        new(SetAsync(key, value.ToArray(), options, token));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        for (int i = 0; i < _tiers.Length; i++)
        {
            try
            {
                await _tiers[i].RemoveAsync(key, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Log.TierFailed(_logger, i, "remove", ex);
            }
        }
    }

    /// <summary>
    /// Copies a hit into the tiers above it. The payload is opaque here (HybridCache frames it), so the
    /// copy lives for the default TTL; the entry inside carries its own expiry, which the runtime checks
    /// on every read, so a longer-lived copy can never serve a stale answer.
    /// </summary>
    private async ValueTask PromoteAsync(string key, byte[] value, int foundAt, CancellationToken token)
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = _promotionTtl() };
        for (int i = 0; i < foundAt; i++)
        {
            try
            {
                await _tiers[i].SetAsync(key, value, options, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Log.TierFailed(_logger, i, "promote", ex);
            }
        }
    }
}
