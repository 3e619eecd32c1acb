using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmCache.AspNetCore.Tests;

public sealed class HealthCheckTests
{
    private const string CheckName = "llmcache:0:FlakyTier";

    [Fact]
    public async Task WorkingTier_IsHealthy_AndTaggedForProbes()
    {
        await using TestApp app = await TestApp.StartAsync(new FlakyTier());
        HealthReport report = await CheckAsync(app);
        HealthReportEntry entry = Assert.Single(report.Entries, e => e.Key == CheckName).Value;
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains(LlmCacheHealthCheckOptions.DefaultTag, entry.Tags);
        Assert.Contains("ready", entry.Tags);
        using HttpResponseMessage ready = await app.Client.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task DiskTier_IsHealthy()
    {
        await using TestApp app = await TestApp.StartAsync();
        HealthReport report = await CheckAsync(app);
        Assert.Equal(HealthStatus.Healthy, Assert.Single(report.Entries, e => e.Key == "llmcache:0:SqliteCacheTier").Value.Status);
    }

    [Fact]
    public async Task TierThatThrows_IsUnhealthy_AndFailsTheReadinessProbe()
    {
        var tier = new FlakyTier { Fails = true };
        await using TestApp app = await TestApp.StartAsync(tier);
        HealthReportEntry entry = (await CheckAsync(app)).Entries[CheckName];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<IOException>(entry.Exception);
        using HttpResponseMessage ready = await app.Client.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task TierThatDoesNotAnswer_IsUnhealthyWithinTheTierTimeout()
    {
        var tier = new FlakyTier { Delay = TimeSpan.FromSeconds(30) };
        await using TestApp app = await TestApp.StartAsync(tier, resilience: o => o.Timeout = TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HealthReportEntry entry = (await CheckAsync(app)).Entries[CheckName];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<TimeoutException>(entry.Exception);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the check took {clock.Elapsed}");
    }

    [Fact]
    public async Task FailureStatus_CanBeDegraded()
    {
        var tier = new FlakyTier { Fails = true };
        await using TestApp app = await TestApp.StartAsync(tier, health: o => o.FailureStatus = HealthStatus.Degraded);
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(app)).Entries[CheckName].Status);
    }

    [Fact]
    public async Task SlowTier_IsDegraded()
    {
        var tier = new FlakyTier { Delay = TimeSpan.FromMilliseconds(100) };
        await using TestApp app = await TestApp.StartAsync(tier, health: o => o.SlowThreshold = TimeSpan.FromMilliseconds(20));
        HealthReportEntry entry = (await CheckAsync(app)).Entries[CheckName];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("slower", entry.Description);
    }

    [Fact]
    public async Task TierWithItsBreakerOpen_IsDegraded_AndPingShowsTheBreaker()
    {
        var tier = new FlakyTier { Fails = true };
        await using TestApp app = await TestApp.StartAsync(tier, resilience: o =>
        {
            o.MinimumThroughput = 2;
            o.WriteRetries = 0;
            o.BreakDuration = TimeSpan.FromMinutes(1);
        });
        LlmCacheTierInfo info = Assert.Single(app.Runtime.Tiers);
        for (int i = 0; i < 20 && info.BreakerState != LlmCacheBreakerState.Open; i++)
        {
            await app.Answers.AskAsync("acme", "breaker " + i);
            await app.Runtime.FlushAsync();
        }
        Assert.Equal(LlmCacheBreakerState.Open, info.BreakerState);

        tier.Fails = false; // the tier is back, but the breaker still holds it off
        HealthReportEntry entry = (await CheckAsync(app)).Entries[CheckName];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Open", entry.Data["breaker"]);
        using HttpResponseMessage ping = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping"));
        using System.Text.Json.JsonDocument body = System.Text.Json.JsonDocument.Parse(await ping.Content.ReadAsStringAsync());
        System.Text.Json.JsonElement reported = Assert.Single(body.RootElement.GetProperty("tiers").EnumerateArray());
        Assert.True(reported.GetProperty("reachable").GetBoolean());
        Assert.Equal("open", reported.GetProperty("breaker").GetString());
    }

    [Fact]
    public async Task MemoryOnlyRuntime_HasOneHealthyCheck()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLlmCache(o => o.UseAsDefault = false);
        services.AddHealthChecks().AddLlmCache(o => o.Name = "cache");
        await using ServiceProvider provider = services.BuildServiceProvider();
        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, Assert.Single(report.Entries, e => e.Key == "cache").Value.Status);
    }

    private static Task<HealthReport> CheckAsync(TestApp app) =>
        app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains(LlmCacheHealthCheckOptions.DefaultTag));
}
