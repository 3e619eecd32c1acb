using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache.AspNetCore.Tests;

/// <summary>A tier in a dictionary that can be made to fail, as an unreachable server would, or to answer slowly.</summary>
public sealed class FlakyTier : IDistributedCache
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <summary>While true, every call throws.</summary>
    public volatile bool Fails;

    /// <summary>How long every call takes.</summary>
    public TimeSpan Delay { get; set; }

    private async Task PassAsync(CancellationToken token)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, token);
        }
        if (Fails)
        {
            throw new IOException("the tier is unreachable");
        }
    }

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        await PassAsync(token);
        return _values.TryGetValue(key, out byte[]? value) ? value : null;
    }

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await PassAsync(token);
        _values.TryRemove(key, out _);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        await PassAsync(token);
        _values[key] = value;
    }
}
