using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache.Tests.Runtime;

/// <summary>Tiers registered from configuration follow its reloads: switched on and off, rebuilt, without losing writes in flight.</summary>
public sealed class ConfiguredTierTests
{
    public sealed class GateTierOptions
    {
        public string Name { get; set; } = "";
    }

    /// <summary>A tier in a dictionary whose writes can be held at a gate, and that says when it was disposed.</summary>
    public sealed class GateTier(string name) : IDistributedCache, IDisposable
    {
        public static readonly ConcurrentDictionary<string, GateTier> Created = new();

        public readonly ConcurrentDictionary<string, byte[]> Values = new();

        public string Name { get; } = name;

        public TaskCompletionSource? Gate { get; set; }

        public volatile bool Disposed;

        /// <summary>Whether a write landed after the tier was disposed (it must never).</summary>
        public volatile bool WroteAfterDispose;

        public byte[]? Get(string key) => Values.TryGetValue(key, out byte[]? v) ? v : null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Values[key] = value;

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (Gate is { } gate)
            {
                await gate.Task.ConfigureAwait(false);
            }
            WroteAfterDispose |= Disposed;
            Values[key] = value;
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

        public void Dispose() => Disposed = true;
    }

    private static (ServiceProvider Provider, IConfigurationRoot Configuration, LlmCacheRuntime Runtime) Start(string prefix, bool enabled)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["LlmCache:UseAsDefault"] = "false",
                ["LlmCache:Gate:Enabled"] = enabled ? "true" : "false",
                ["LlmCache:Gate:Name"] = prefix + "-a",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache"))
            .AddConfiguredTier<GateTierOptions, GateTier>(configuration.GetSection("LlmCache:Gate"),
                (_, options) => GateTier.Created[options.Name] = new GateTier(options.Name));
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider, configuration, provider.GetRequiredService<LlmCacheRuntime>());
    }

    [Fact]
    public async Task ATierSwitchedOnAndOff_ByAConfigurationReload()
    {
        var (provider, configuration, runtime) = Start("onoff", enabled: false);
        await using (provider)
        {
            var service = new ControlledService(runtime);
            Assert.Equal("GateTier", Assert.Single(runtime.Tiers).Kind);
            await service.AskAsync("off");
            await runtime.FlushAsync();
            Assert.False(GateTier.Created.ContainsKey("onoff-a")); // off: never built

            configuration["LlmCache:Gate:Enabled"] = "true";
            configuration.Reload();
            GateTier on = GateTier.Created["onoff-a"];
            await service.AskAsync("on");
            await runtime.FlushAsync();
            Assert.Contains(on.Values.Keys, k => k == Generated.LlmCacheKeys.ControlledService_AskAsync("on").Key(runtime));

            configuration["LlmCache:Gate:Enabled"] = "false";
            configuration.Reload();
            Assert.True(on.Disposed);
            int held = on.Values.Count;
            await service.AskAsync("after");
            await runtime.FlushAsync();
            Assert.Equal(held, on.Values.Count);
            Assert.Equal(3, service.Calls);
        }
    }

    [Fact]
    public async Task AWriteInFlight_LandsInTheOldTier_WhichIsDisposedOnlyAfterIt_AndLaterWritesGoToTheNewOne()
    {
        var (provider, configuration, runtime) = Start("swap", enabled: true);
        await using (provider)
        {
            var service = new ControlledService(runtime);
            GateTier old = GateTier.Created["swap-a"];
            old.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await service.AskAsync("in-flight"); // the tier write is held at the gate

            configuration["LlmCache:Gate:Name"] = "swap-b";
            configuration.Reload();
            GateTier replacement = GateTier.Created["swap-b"];
            Assert.False(old.Disposed); // a write is still running on it

            await service.AskAsync("new");
            old.Gate.SetResult();
            await runtime.FlushAsync();

            string inFlight = Generated.LlmCacheKeys.ControlledService_AskAsync("in-flight").Key(runtime);
            string later = Generated.LlmCacheKeys.ControlledService_AskAsync("new").Key(runtime);
            Assert.True(old.Values.ContainsKey(inFlight));
            Assert.False(old.WroteAfterDispose);
            Assert.True(old.Disposed);
            Assert.False(old.Values.ContainsKey(later));
            Assert.True(replacement.Values.ContainsKey(later));
            Assert.False(replacement.Disposed);
        }
        Assert.True(GateTier.Created["swap-b"].Disposed); // the container disposes the tier serving at the end
    }

    [Fact]
    public async Task AnUnchangedReload_KeepsTheTier()
    {
        var (provider, configuration, runtime) = Start("same", enabled: true);
        await using (provider)
        {
            GateTier tier = GateTier.Created["same-a"];
            configuration.Reload();
            configuration["LlmCache:Namespace"] = "v9";
            configuration.Reload();
            Assert.False(tier.Disposed);
            var configured = Assert.IsType<ConfiguredTier>(runtime.Options.Tiers.Single(), exactMatch: false);
            Assert.Equal(0, configured.Swaps);
            Assert.Same(tier, configured.Current);
        }
    }
}
