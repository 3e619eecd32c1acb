using System.Net;
using LlmCache.Redis;
using LlmCache.Redis.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmCache.AspNetCore.Tests;

/// <summary>Health checks and ping against a real redis-server, paused with SIGSTOP and resumed.</summary>
public sealed class RedisHealthTests
{
    private const string CheckName = "llmcache:0:RedisCacheTier";

    [Fact]
    public async Task PausedRedis_IsUnhealthy_ThenHealthyOnceResumed()
    {
        using var server = new RedisServer();
        await using TestApp app = await TestApp.StartAsync(tiers: cache => cache.AddRedisTier(o => o.Configuration = server.Configuration),
            resilience: o => o.Timeout = TimeSpan.FromMilliseconds(300));
        HealthCheckService health = app.Services.GetRequiredService<HealthCheckService>();

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries[CheckName].Status);

        server.Pause();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            HealthReportEntry paused = (await health.CheckHealthAsync()).Entries[CheckName];
            Assert.Equal(HealthStatus.Unhealthy, paused.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the check took {clock.Elapsed}");
            using HttpResponseMessage ready = await app.Client.GetAsync("/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using HttpResponseMessage ping = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping"));
            Assert.Contains("\"reachable\":false", await ping.Content.ReadAsStringAsync());
        }
        finally
        {
            server.Resume();
        }

        HealthStatus resumed = HealthStatus.Unhealthy;
        for (int i = 0; i < 50 && resumed != HealthStatus.Healthy; i++)
        {
            resumed = (await health.CheckHealthAsync()).Entries[CheckName].Status;
            if (resumed != HealthStatus.Healthy)
            {
                await Task.Delay(100);
            }
        }
        Assert.Equal(HealthStatus.Healthy, resumed);
    }
}
