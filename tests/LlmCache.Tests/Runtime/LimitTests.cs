using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmCache.Tests.Runtime;

/// <summary>Result-dependent TTLs, the entry size limit, and namespace validation.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task ResultTtl_GivesRefusalsAShortLife_AndZeroMeansNotStored()
    {
        var (service, clock, runtime) = ControlledService.Create(o => o.ResultTtl = context =>
            context.Result is string s && s.StartsWith("refuse", StringComparison.Ordinal) ? TimeSpan.FromSeconds(5)
            : context.Result is string t && t.StartsWith("never", StringComparison.Ordinal) ? TimeSpan.Zero
            : null);
        using (runtime)
        {
            using var skipped = new MetricCollector<long>(runtime.Meter, "llmcache.stores.skipped");
            await service.AskAsync("refuse");
            await service.AskAsync("normal");
            await service.AskAsync("never");
            Assert.Equal(3, service.Calls);

            clock.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal("refuse#1", await service.AskAsync("refuse"));
            Assert.Equal("never#4", await service.AskAsync("never"));
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("refuse#5", await service.AskAsync("refuse"));
            Assert.Equal("normal#2", await service.AskAsync("normal"));
            Assert.Equal(2, skipped.GetMeasurementSnapshot().Count(m => (string?)m.Tags["llmcache.reason"] == "result-ttl"));
        }
    }

    [Fact]
    public async Task EntryAboveTheSizeLimit_IsReturnedButNotStored_AndCounted()
    {
        var (service, _, runtime) = ControlledService.Create(o => o.MaximumEntryBytes = 64);
        using (runtime)
        {
            using var skipped = new MetricCollector<long>(runtime.Meter, "llmcache.stores.skipped");
            string big = new('x', 200);
            Assert.Equal(big + "#1", await service.AskAsync(big));
            Assert.Equal(big + "#2", await service.AskAsync(big));
            Assert.Equal("s#3", await service.AskAsync("s"));
            Assert.Equal("s#3", await service.AskAsync("s"));
            Assert.Contains(skipped.GetMeasurementSnapshot(), m => (string?)m.Tags["llmcache.reason"] == "too-large");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("colon:inside")]
    [InlineData("slash/inside")]
    public void InvalidNamespaces_AreRejected(string ns)
    {
        Assert.Throws<ArgumentException>(() => new LlmCacheRuntime(new LlmCacheOptions { Namespace = ns }));
    }
}
