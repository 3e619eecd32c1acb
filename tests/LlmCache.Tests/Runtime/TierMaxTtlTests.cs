using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Runtime;

/// <summary>A tier's MaxTtl caps what it keeps: writes and promotions, never removal records.</summary>
public sealed class TierMaxTtlTests
{
    /// <summary>A tier that keeps each value with its absolute expiry on the test clock, and caps it at <see cref="MaxTtl"/>.</summary>
    private sealed class ExpiringTier(TimeProvider clock, TimeSpan? maxTtl) : ICacheTier
    {
        public readonly ConcurrentDictionary<string, (byte[] Value, DateTimeOffset Expires)> Values = new();

        public TimeSpan? MaxTtl => maxTtl;

        public Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default) =>
            Task.FromResult<TierValue?>(Values.TryGetValue(key, out var held) && held.Expires > clock.GetUtcNow() && held.Value.LongLength <= maximumBytes
                ? new TierValue(held.Value, held.Expires) : null);

        public void MakeReadOnly()
        {
        }

        public byte[]? Get(string key) => GetBoundedAsync(key, long.MaxValue).Result?.Value;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
            Values[key] = (value, options.AbsoluteExpiration ?? clock.GetUtcNow() + (options.AbsoluteExpirationRelativeToNow ?? TimeSpan.FromDays(365)));

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => Values.TryRemove(key, out _);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task WritesAndPromotions_AreCappedPerTier_RemovalRecordsAreNot()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var upper = new ExpiringTier(clock, TimeSpan.FromMinutes(5));
        var lower = new ExpiringTier(clock, null);
        await using var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { upper, lower } }, clock);
        var writes = new ControlledService(writer);
        await writes.AskAsync("cap");
        await writer.FlushAsync();
        string key = Generated.LlmCacheKeys.ControlledService_AskAsync("cap").Key(writer);
        DateTimeOffset written = clock.GetUtcNow();
        Assert.Equal(written.AddMinutes(5), upper.Values[key].Expires);
        Assert.Equal(written.AddHours(1), lower.Values[key].Expires);

        // Past the cap the upper tier misses; the lower one answers and its copy is promoted, capped again.
        clock.Advance(TimeSpan.FromMinutes(6));
        await using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { upper, lower } }, clock);
        var reads = new ControlledService(reader);
        Assert.Equal("cap#1", await reads.AskAsync("cap"));
        Assert.Equal(0, reads.Calls);
        await reader.FlushAsync();
        Assert.Equal(clock.GetUtcNow().AddMinutes(5), upper.Values[key].Expires);

        // A removal's record must outlive the entries it removes: it is not capped.
        await reader.RemoveByTagAsync("answers");
        DateTimeOffset cap = clock.GetUtcNow().AddMinutes(5);
        Assert.Contains(upper.Values, pair => pair.Key != key && pair.Value.Expires > cap);
    }
}
