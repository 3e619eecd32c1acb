using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmCache.Tests.Runtime;

/// <summary>The meter, the activity source and the per-call probe report what really happened.</summary>
public sealed class ObservabilityTests
{
    private const string AskId = "LlmCache.Tests.Runtime.ControlledService.AskAsync";

    [Fact]
    public async Task Meter_CountsHitsMissesAndStores_PerMethod_AndTimesLookupsAndMethods()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            using var hits = new MetricCollector<long>(runtime.Meter, "llmcache.hits");
            using var misses = new MetricCollector<long>(runtime.Meter, "llmcache.misses");
            using var stores = new MetricCollector<long>(runtime.Meter, "llmcache.stores");
            using var lookups = new MetricCollector<double>(runtime.Meter, "llmcache.lookup.duration");
            using var methods = new MetricCollector<double>(runtime.Meter, "llmcache.method.duration");

            await service.AskAsync("o");
            await service.AskAsync("o");
            await service.AskAsync("o");
            await service.OtherAsync("o");

            Assert.Equal(2, Sum(hits, AskId));
            Assert.Equal(1, Sum(misses, AskId));
            Assert.Equal(1, Sum(misses, "LlmCache.Tests.Runtime.ControlledService.OtherAsync"));
            Assert.Equal(1, Sum(stores, AskId));
            Assert.All(hits.GetMeasurementSnapshot(), m => Assert.Equal("memory", m.Tags["llmcache.level"]));
            Assert.Equal(4, lookups.GetMeasurementSnapshot().Count);
            Assert.Equal(2, methods.GetMeasurementSnapshot().Count);
            Assert.Equal(runtime.Statistics.Hits, hits.GetMeasurementSnapshot().Sum(m => m.Value));
        }
    }

    [Fact]
    public async Task Spans_CarryCacheHit()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            var spans = new List<Activity>();
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "LlmCache",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);
            string prompt = "span-" + Guid.NewGuid().ToString("N");
            await service.AskAsync(prompt);
            await service.AskAsync(prompt);
            string key = Generated.LlmCacheKeys.ControlledService_AskAsync(prompt).Key(runtime);
            Activity[] mine;
            lock (spans)
            {
                mine = spans.Where(s => key.EndsWith((string)s.GetTagItem("llmcache.key_hash")!, StringComparison.Ordinal)).ToArray();
            }
            Assert.Equal(2, mine.Length);
            Assert.Equal(false, mine[0].GetTagItem("cache.hit"));
            Assert.Equal(true, mine[1].GetTagItem("cache.hit"));
            Assert.All(mine, s => Assert.StartsWith(AskId, (string)s.GetTagItem("llmcache.method")!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Probe_TellsTheCallerWhetherItsResultCameFromTheCache()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            using CacheProbe probe = LlmCacheScope.Observe();
            Assert.Null(probe.Last);
            await service.AskAsync("p");
            CacheOutcome first = probe.Last!.Value;
            Assert.False(first.Hit);
            Assert.Equal(CacheSource.Method, first.Source);
            Assert.True(first.Stored);
            await service.AskAsync("p");
            CacheOutcome second = probe.Last!.Value;
            Assert.True(second.Hit);
            Assert.Equal(CacheSource.Memory, second.Source);
            Assert.Equal(first.KeyHash, second.KeyHash);
            Assert.Equal(16, second.KeyHash.Length);
            Assert.Equal(2, probe.Outcomes.Count);
        }
    }

    [Fact]
    public async Task Probe_SeesCallsDeepInTheFlow_AndNothingAfterItIsDisposed()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            CacheProbe probe = LlmCacheScope.Observe();
            await Task.Run(async () => await service.AskAsync("deep"));
            probe.Dispose();
            await service.AskAsync("deep");
            Assert.Single(probe.Outcomes);
        }
    }

    private static long Sum(MetricCollector<long> collector, string methodPrefix) =>
        collector.GetMeasurementSnapshot()
            .Where(m => ((string)m.Tags["llmcache.method"]!).StartsWith(methodPrefix + ".", StringComparison.Ordinal))
            .Sum(m => m.Value);
}

public sealed class ProbeCapacityTests
{
    [Fact]
    public async Task Probe_KeepsRecentOutcomesOnly_ButCountsThemAll()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            using CacheProbe probe = LlmCacheScope.Observe();
            for (int i = 0; i < CacheProbe.Capacity + 10; i++)
            {
                await service.AskAsync("cap");
            }
            Assert.Equal(CacheProbe.Capacity, probe.Outcomes.Count);
            Assert.Equal(1, probe.Misses);
            Assert.Equal(CacheProbe.Capacity + 9, probe.Hits);
        }
    }
}
