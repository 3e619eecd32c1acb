using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache.Tests.Runtime;

/// <summary>Enabling, disabling and reconfiguring the cache at run time, without a restart.</summary>
public sealed class SwitchingTests
{
    [Fact]
    public async Task GlobalSwitch_Off_SendsEveryCallToTheMethod_On_ServesHitsAgain()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("g");
            runtime.Enabled = false;
            Assert.Equal("g#2", await service.AskAsync("g"));
            Assert.Equal("g#3", await service.AskAsync("g"));
            runtime.Enabled = true;
            Assert.Equal("g#1", await service.AskAsync("g"));
        }
    }

    [Fact]
    public async Task ScopedDisable_BypassesOnlyInsideTheScope()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("d");
            using (LlmCacheScope.Disable())
            {
                Assert.Equal("d#2", await service.AskAsync("d"));
            }
            // A bypassed call neither read nor wrote.
            Assert.Equal("d#1", await service.AskAsync("d"));
        }
    }

    [Fact]
    public async Task NewNamespace_OrphansEveryOlderEntry()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("ns");
            await service.OtherAsync("ns");
            runtime.Reconfigure(o => o.Namespace = "v2");
            Assert.Equal("ns#3", await service.AskAsync("ns"));
            Assert.Equal("other ns#4", await service.OtherAsync("ns"));
            Assert.Equal("ns#3", await service.AskAsync("ns"));
            // The orphaned generation's memory is freed at once (a second level would still hold it).
            runtime.Reconfigure(o => o.Namespace = "v1");
            Assert.Equal("ns#5", await service.AskAsync("ns"));
        }
    }

    [Fact]
    public void InvalidReconfiguration_IsRejected_AndTheOldOptionsStay()
    {
        var (_, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Throws<ArgumentException>(() => runtime.Reconfigure(o => { o.Namespace = "bad namespace!"; o.Enabled = false; }));
            Assert.Equal("v1", runtime.Options.Namespace);
            Assert.True(runtime.Enabled);
        }
    }

    [Fact]
    public async Task DisabledMethods_AndDisabledTags_ChooseWhatIsCached()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            runtime.Reconfigure(o => o.DisabledMethods.Add("LlmCache.Tests.Runtime.ControlledService.AskAsync"));
            await service.AskAsync("f");
            await service.AskAsync("f");
            Assert.Equal(2, service.Calls);
            await service.OtherAsync("f");
            await service.OtherAsync("f");
            Assert.Equal(3, service.Calls);

            runtime.Reconfigure(o => { o.DisabledMethods.Clear(); o.DisabledTags.Add("other"); });
            await service.AskAsync("f");
            await service.AskAsync("f");
            Assert.Equal(4, service.Calls);
            await service.OtherAsync("f2");
            await service.OtherAsync("f2");
            Assert.Equal(6, service.Calls);

            // A whole type can be switched off by its name.
            runtime.Reconfigure(o => { o.DisabledTags.Clear(); o.DisabledMethods.Add("LlmCache.Tests.Runtime.ControlledService"); });
            await service.AskAsync("f3");
            await service.AskAsync("f3");
            Assert.Equal(8, service.Calls);
        }
    }

    [Fact]
    public async Task OptionsFromConfiguration_AreFollowedOnReload()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["LlmCache:Namespace"] = "cfg1", ["LlmCache:UseAsDefault"] = "false" })
            .Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var service = new ControlledService(runtime);
        Assert.Equal("cfg1", runtime.Options.Namespace);
        Assert.NotSame(runtime, LlmCacheRuntime.Default);

        await service.AskAsync("r");
        configuration["LlmCache:Namespace"] = "cfg2";
        configuration.Reload();
        Assert.Equal("cfg2", runtime.Options.Namespace);
        Assert.Equal("r#2", await service.AskAsync("r"));

        configuration["LlmCache:Enabled"] = "false";
        configuration.Reload();
        Assert.False(runtime.Enabled);
        Assert.Equal("r#3", await service.AskAsync("r"));

        // An invalid reload is ignored: the cache keeps working with the last good options.
        configuration["LlmCache:Enabled"] = "true";
        configuration["LlmCache:Namespace"] = "not valid!";
        configuration.Reload();
        Assert.Equal("cfg2", runtime.Options.Namespace);
        Assert.False(runtime.Enabled);
    }
}
