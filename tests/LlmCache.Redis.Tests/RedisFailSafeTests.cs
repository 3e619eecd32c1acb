using LlmCache.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Redis.Tests;

/// <summary>Fail-safe through a real redis-server: the key outlives its TTL by the window, and answers a fresh process.</summary>
public sealed class RedisFailSafeTests : IDisposable
{
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    private RedisCacheTier Tier() => new(new RedisTierOptions { Configuration = _server.Configuration, OperationTimeout = TimeSpan.FromSeconds(2) });

    [Fact]
    public async Task AnExpiredAnswerInRedis_AnswersAFreshProcessWhoseProviderIsDown()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        string key;
        using (RedisCacheTier tier = Tier())
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            Assert.Equal("answer to q", await new FlakyAnswers(first).AskAsync("q"));
            await first.FlushAsync();
            key = Generated.LlmCacheKeys.FlakyAnswers_AskAsync("q").Key(first);
        }
        using (ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration))
        {
            // Kept for the one-minute life and the one-hour window, not just the minute.
            TimeSpan? ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(61));
        }

        clock.Advance(TimeSpan.FromMinutes(5));
        using (RedisCacheTier tier = Tier())
        await using (var fresh = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            var answers = new FlakyAnswers(fresh) { Down = true };
            using CacheProbe probe = LlmCacheScope.Observe();
            Assert.Equal("answer to q", await answers.AskAsync("q"));
            Assert.Equal(1, answers.Calls);
            Assert.True(probe.Last!.Value.Stale);
            Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
            Assert.Equal(TimeSpan.FromMinutes(5), probe.Last!.Value.Age);
        }
    }
}
