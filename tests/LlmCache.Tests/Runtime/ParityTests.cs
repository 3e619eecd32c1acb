using LlmCache.Tests.Correctness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Runtime;

/// <summary>LiteLLM's <c>mode: default_off</c> with per-call opt-in, and its in-memory TTL shorter than the tiers'.</summary>
public sealed class ParityTests
{
    [Fact]
    public async Task DefaultOff_SendsEveryCallToTheMethod_UnlessAScopeOptsIn()
    {
        var (service, _, runtime) = ControlledService.Create(o => o.DefaultOff = true);
        using (runtime)
        {
            Assert.Equal("d#1", await service.AskAsync("d"));
            Assert.Equal("d#2", await service.AskAsync("d"));
            Assert.Equal(0, runtime.LocalEntryCount); // nothing was stored either
            using (LlmCacheScope.With(CacheControl.OptIn))
            {
                Assert.Equal("d#3", await service.AskAsync("d"));
                Assert.Equal("d#3", await service.AskAsync("d"));
                // An inner scope or a call's own control can opt back out.
                using (LlmCacheScope.With(new CacheControl { Use = false }))
                {
                    Assert.Equal("d#4", await service.AskAsync("d"));
                }
            }
            Assert.Equal("d#5", await service.AskAsync("d"));
            Assert.Equal(5, service.Calls);
        }
    }

    [Fact]
    public async Task DefaultOff_ACallOptsInThroughItsControlParameter()
    {
        var (service, _, runtime) = ControlledService.Create(o => o.DefaultOff = true);
        using (runtime)
        {
            Assert.Equal("p#1", await service.AskWithControlAsync("p", "u1", CacheControl.OptIn));
            Assert.Equal("p#1", await service.AskWithControlAsync("p", "u2", new CacheControl { Use = true, MaxAge = TimeSpan.FromHours(1) }));
            Assert.Equal("p#2", await service.AskWithControlAsync("p", "u3"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task UseFalse_BypassesTheCache_WhenTheCacheIsOnByDefault()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Equal("o#1", await service.AskWithControlAsync("o", "u"));
            Assert.Equal("o#2", await service.AskWithControlAsync("o", "u", new CacheControl { Use = false }));
            Assert.Equal("o#1", await service.AskWithControlAsync("o", "u"));
        }
    }

    [Fact]
    public async Task DefaultOff_IsBoundFromConfiguration_AndFollowsReloads()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["LlmCache:DefaultOff"] = "true", ["LlmCache:UseAsDefault"] = "false" })
            .Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var service = new ControlledService(runtime);
        Assert.True(runtime.Options.DefaultOff);
        await service.AskAsync("c");
        await service.AskAsync("c");
        Assert.Equal(2, service.Calls);

        configuration["LlmCache:DefaultOff"] = "false";
        configuration.Reload();
        Assert.False(runtime.Options.DefaultOff);
        Assert.Equal("c#3", await service.AskAsync("c"));
        Assert.Equal("c#3", await service.AskAsync("c"));
        Assert.Equal(3, service.Calls);
    }

    [Fact]
    public async Task MemoryTtl_ReadsTheTiersAgain_SoAnotherProcesssRefreshIsSeen()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var tier = new DictionaryTier();
        await using var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock);
        await using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, MemoryTtl = TimeSpan.FromMinutes(1) }, clock);
        await using var longReader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock);
        var writes = new ControlledService(writer);
        var reads = new ControlledService(reader);
        var longReads = new ControlledService(longReader);

        Assert.Equal("m#1", await writes.AskAsync("m"));
        await writer.FlushAsync();
        Assert.Equal("m#1", await reads.AskAsync("m"));
        Assert.Equal("m#1", await longReads.AskAsync("m"));

        // The writer refreshes the entry; within the memory TTL the reader still answers from memory.
        using (LlmCacheScope.With(CacheControl.FreshRead))
        {
            Assert.Equal("m#2", await writes.AskAsync("m"));
        }
        await writer.FlushAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("m#1", await reads.AskAsync("m"));

        // Past it, the reader reads the tier again and sees the refresh; a runtime without one keeps its copy.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("m#2", await reads.AskAsync("m"));
        Assert.Equal("m#1", await longReads.AskAsync("m"));
        Assert.Equal(0, reads.Calls);
        Assert.Equal(0, longReads.Calls);
    }

    [Fact]
    public async Task MemoryTtl_WithoutTiers_RecomputesAfterIt()
    {
        var (service, clock, runtime) = ControlledService.Create(o =>
        {
            o.MemoryTtl = TimeSpan.FromMinutes(1);
            o.FailSafe = TimeSpan.FromHours(1);
        });
        using (runtime)
        {
            Assert.Equal("x#1", await service.AskAsync("x"));
            clock.Advance(TimeSpan.FromSeconds(59));
            Assert.Equal("x#1", await service.AskAsync("x"));
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("x#2", await service.AskAsync("x"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task MemoryTtl_KeepsTheFailSafeWindow_AFailingMethodIsAnsweredByTheCopyPastTheMemoryTtl()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { MemoryTtl = TimeSpan.FromSeconds(10) }, clock);
        var model = new LlmCache.Tests.FailSafe.FlakyModel(runtime);
        Assert.Equal("q#1", await model.AskAsync("q"));
        clock.Advance(TimeSpan.FromSeconds(20)); // past the memory TTL, within the entry's minute
        model.Failure = new HttpRequestException("connection reset");
        Assert.Equal("q#1", await model.AskAsync("q"));
        Assert.Equal(2, model.Calls); // the method was asked (the copy was past the memory TTL), and failed
        clock.Advance(TimeSpan.FromMinutes(5)); // expired, within the hour of fail-safe
        Assert.Equal("q#1", await model.AskAsync("q"));
    }

    [Fact]
    public void MemoryTtl_MustBePositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlmCacheRuntime(new LlmCacheOptions { MemoryTtl = TimeSpan.Zero }));
    }
}
