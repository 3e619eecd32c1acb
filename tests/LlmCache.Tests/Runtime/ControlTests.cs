namespace LlmCache.Tests.Runtime;

/// <summary>LiteLLM's four per-call controls, from an ambient scope and from a control parameter.</summary>
public sealed class ControlTests
{
    [Fact]
    public async Task NoCache_SkipsTheRead_ButStoresTheFreshAnswer()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Equal("q#1", await service.AskAsync("q"));
            using (LlmCacheScope.With(new CacheControl { NoCache = true }))
            {
                Assert.Equal("q#2", await service.AskAsync("q"));
            }
            Assert.Equal("q#2", await service.AskAsync("q"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task NoStore_NeverWrites_ButMayServeAHit()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            using (LlmCacheScope.With(CacheControl.DoNotStore))
            {
                Assert.Equal("a#1", await service.AskAsync("a"));
            }
            Assert.Equal("a#2", await service.AskAsync("a"));
            using (LlmCacheScope.With(CacheControl.DoNotStore))
            {
                Assert.Equal("a#2", await service.AskAsync("a"));
            }
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task PerCallTtl_OverridesTheAttributeTtl()
    {
        var (service, clock, runtime) = ControlledService.Create();
        using (runtime)
        {
            using (LlmCacheScope.With(new CacheControl { Ttl = TimeSpan.FromSeconds(10) }))
            {
                await service.AskAsync("t");
            }
            clock.Advance(TimeSpan.FromSeconds(9));
            Assert.Equal("t#1", await service.AskAsync("t"));
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("t#2", await service.AskAsync("t"));
        }
    }

    [Fact]
    public async Task MaxAge_RefreshesAnOlderEntry_AndAcceptsAYoungerOne()
    {
        var (service, clock, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("m");
            clock.Advance(TimeSpan.FromMinutes(5));
            using (LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromMinutes(10) }))
            {
                Assert.Equal("m#1", await service.AskAsync("m"));
            }
            using (LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromMinutes(1) }))
            {
                Assert.Equal("m#2", await service.AskAsync("m"));
            }
            // The refresh was stored: a plain call now gets it.
            Assert.Equal("m#2", await service.AskAsync("m"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task ControlParameter_NeverEntersTheKey_AndApplies()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Equal("p#1", await service.AskWithControlAsync("p", "alice"));
            Assert.Equal("p#1", await service.AskWithControlAsync("p", "bob", new CacheControl { MaxAge = TimeSpan.FromHours(1) }));
            Assert.Equal("p#2", await service.AskWithControlAsync("p", "carol", CacheControl.FreshRead));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task ScopeAndParameter_Combine_TheStricterWins()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskWithControlAsync("c", "u");
            using (LlmCacheScope.With(CacheControl.FreshRead))
            {
                // The parameter asks for nothing special; the scope's no-cache still applies.
                Assert.Equal("c#2", await service.AskWithControlAsync("c", "u", new CacheControl()));
            }
        }
    }

    [Fact]
    public async Task NestedScopes_RestoreTheOuterControls()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("n");
            using (LlmCacheScope.With(CacheControl.DoNotStore))
            {
                using (LlmCacheScope.With(CacheControl.FreshRead))
                {
                    Assert.Equal("n#2", await service.AskAsync("n"));
                }
                Assert.Equal("n#1", await service.AskAsync("n"));
            }
            Assert.Equal("n#1", await service.AskAsync("n"));
        }
    }

    [Fact]
    public async Task ParallelFlows_DoNotSeeEachOthersControls()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("par");
            var inside = new TaskCompletionSource();
            var release = new TaskCompletionSource();
            Task<string> fresh = Task.Run(async () =>
            {
                using (LlmCacheScope.With(CacheControl.FreshRead))
                {
                    inside.SetResult();
                    await release.Task;
                    return await service.AskAsync("par");
                }
            });
            await inside.Task;
            // The other flow is inside its no-cache scope right now; this flow is not.
            Assert.Equal("par#1", await service.AskAsync("par"));
            release.SetResult();
            Assert.Equal("par#2", await fresh);
            Assert.Equal("par#2", await service.AskAsync("par"));
        }
    }

    [Fact]
    public async Task Streams_HonourNoCacheAndNoStore()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Equal(["s#1"], await Collect(service.StreamAsync("s")));
            Assert.Equal(["s#1"], await Collect(service.StreamAsync("s")));
            using (LlmCacheScope.With(new CacheControl { NoCache = true, NoStore = true }))
            {
                Assert.Equal(["s#2"], await Collect(service.StreamAsync("s")));
            }
            Assert.Equal(["s#1"], await Collect(service.StreamAsync("s")));
        }
    }

    [Fact]
    public void InvalidControls_AreRejectedWhenTheScopeOpens()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LlmCacheScope.With(new CacheControl { Ttl = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromSeconds(-1) }));
    }

    private static async Task<List<string>> Collect(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (string item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
