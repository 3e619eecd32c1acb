using LlmCache.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LlmCache.S3.Tests;

/// <summary>Fail-safe through a real s3rver: an expired answer in the bucket answers a fresh process whose provider is down.</summary>
public sealed class S3FailSafeTests : IDisposable
{
    private readonly S3Server _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AnExpiredAnswerInTheBucket_AnswersAFreshProcessWhoseProviderIsDown()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        S3CacheTier Tier() => new(new S3TierOptions
        {
            Bucket = S3Server.Bucket,
            Prefix = "failsafe/",
            ServiceUrl = _server.ServiceUrl,
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
            OperationTimeout = TimeSpan.FromSeconds(2),
        }, timeProvider: clock);
        using (S3CacheTier tier = Tier())
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            Assert.Equal("answer to q", await new FlakyAnswers(first).AskAsync("q"));
            await first.FlushAsync();
        }

        clock.Advance(TimeSpan.FromMinutes(10));
        using (S3CacheTier tier = Tier())
        await using (var fresh = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock))
        {
            var answers = new FlakyAnswers(fresh) { Down = true };
            using CacheProbe probe = LlmCacheScope.Observe();
            Assert.Equal("answer to q", await answers.AskAsync("q"));
            Assert.True(probe.Last!.Value.Stale);
            Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
        }
    }
}
