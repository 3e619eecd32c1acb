using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache.Tests.Runtime;

/// <summary>runtime.Tiers: the seam health checks and operator endpoints are built on.</summary>
public sealed class TierInfoTests
{
    [Fact]
    public void MemoryOnlyRuntime_HasNoTiers()
    {
        using var runtime = new LlmCacheRuntime();
        Assert.Empty(runtime.Tiers);
    }

    [Fact]
    public async Task Tiers_AreNamedAsMetricsTagThem_AndAnswerTheirProbe()
    {
        var tier = new SwitchableTier();
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { new Correctness.DictionaryTier(), tier } });
        Assert.Equal(["0:DictionaryTier", "1:SwitchableTier"], runtime.Tiers.Select(t => t.Name));
        LlmCacheTierInfo info = runtime.Tiers[1];
        Assert.Equal(1, info.Index);
        Assert.Equal("SwitchableTier", info.Kind);
        Assert.Equal(LlmCacheBreakerState.Closed, info.BreakerState);
        LlmCacheTierPing ping = await info.PingAsync();
        Assert.True(ping.Reachable);
        Assert.Null(ping.Error);
        Assert.Contains(LlmCacheTierInfo.ProbeKey, tier.Reads);
    }

    [Fact]
    public async Task Ping_ReportsAFailure_WithoutOpeningTheBreaker()
    {
        var tier = new SwitchableTier { Fails = true };
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, TierResilience = { MinimumThroughput = 2 } });
        LlmCacheTierInfo info = Assert.Single(runtime.Tiers);
        for (int i = 0; i < 5; i++)
        {
            LlmCacheTierPing ping = await info.PingAsync();
            Assert.False(ping.Reachable);
            Assert.IsType<IOException>(ping.Error);
        }
        Assert.Equal(LlmCacheBreakerState.Closed, info.BreakerState);
    }

    [Fact]
    public async Task Ping_IsBoundedByTheTierTimeout()
    {
        var tier = new SwitchableTier { Hangs = true };
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            TierResilience = { Timeout = TimeSpan.FromMilliseconds(100) },
        });
        LlmCacheTierPing ping = await Assert.Single(runtime.Tiers).PingAsync();
        Assert.False(ping.Reachable);
        Assert.IsType<TimeoutException>(ping.Error);
        Assert.True(ping.Latency < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task BreakerState_ShowsABreakerOpenedByFailingCalls_WhilePingStillReachesTheTier()
    {
        var tier = new SwitchableTier { Fails = true };
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            TierResilience = { MinimumThroughput = 2, WriteRetries = 0, BreakDuration = TimeSpan.FromMinutes(1) },
        });
        LlmCacheTierInfo info = Assert.Single(runtime.Tiers);
        for (int i = 0; i < 10 && info.BreakerState != LlmCacheBreakerState.Open; i++)
        {
            Assert.False(await runtime.RemoveAsync("llmcache:v1:some-key-" + i));
        }
        Assert.Equal(LlmCacheBreakerState.Open, info.BreakerState);
        tier.Fails = false;
        Assert.True((await info.PingAsync()).Reachable);
        Assert.Equal(LlmCacheBreakerState.Open, info.BreakerState);
    }

    /// <summary>An empty tier that can fail, or hang ignoring its token, and records the keys it is asked for.</summary>
    private sealed class SwitchableTier : IDistributedCache
    {
        public volatile bool Fails;
        public volatile bool Hangs;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _reads = new();

        public IReadOnlyCollection<string> Reads => _reads.ToArray();

        private async Task PassAsync()
        {
            if (Hangs)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
            if (Fails)
            {
                throw new IOException("the tier is unreachable");
            }
        }

        public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

        public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            _reads.Enqueue(key);
            await PassAsync();
            return null;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

        public Task RemoveAsync(string key, CancellationToken token = default) => PassAsync();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => PassAsync();
    }
}
