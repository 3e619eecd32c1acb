using LlmCache.Disk;
using LlmCache.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LlmCache.Disk.Tests;

/// <summary>Fail-safe through the SQLite tier: an expired answer on disk answers a fresh process whose provider is down.</summary>
[Collection("Timing")]
public sealed class DiskFailSafeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-failsafe-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task AnExpiredAnswerOnDisk_AnswersAFreshProcessWhoseProviderIsDown_UntilTheWindowCloses()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        SqliteCacheTier Tier() => new(new DiskTierOptions { Directory = _dir, SweepInterval = TimeSpan.FromHours(1) }, timeProvider: clock);
        using (SqliteCacheTier tier = Tier())
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            Assert.Equal("answer to q", await new FlakyAnswers(first).AskAsync("q"));
            await first.FlushAsync();
        }

        clock.Advance(TimeSpan.FromMinutes(30));
        using (SqliteCacheTier tier = Tier())
        await using (var fresh = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            var answers = new FlakyAnswers(fresh) { Down = true };
            using CacheProbe probe = LlmCacheScope.Observe();
            Assert.Equal("answer to q", await answers.AskAsync("q"));
            Assert.True(probe.Last!.Value.Stale);
            Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
        }

        clock.Advance(TimeSpan.FromMinutes(32)); // 1 h 02 min after it was written: past 1 min + 1 h
        using (SqliteCacheTier tier = Tier())
        await using (var late = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => new FlakyAnswers(late) { Down = true }.AskAsync("q"));
        }
    }
}
