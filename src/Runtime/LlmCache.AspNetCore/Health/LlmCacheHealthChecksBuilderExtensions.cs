using LlmCache.AspNetCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmCache's health checks with <c>services.AddHealthChecks()</c>.</summary>
public static class LlmCacheHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds one health check per tier of the <see cref="LlmCache.LlmCacheRuntime"/> registered in the
    /// services (else <see cref="LlmCache.LlmCacheRuntime.Default"/>), tagged <c>llmcache</c> and
    /// <see cref="LlmCacheHealthCheckOptions.Tags"/>. The tiers are read when the health check service
    /// first runs, once the runtime exists; a runtime without tiers gets one check that is always Healthy.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets names, tags, the slow threshold and the failure status.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddLlmCache(this IHealthChecksBuilder builder, Action<LlmCacheHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LlmCacheHealthCheckOptions();
        configure?.Invoke(options);
        // The tiers exist only once the runtime does: the registrations are added when the health
        // check service reads its options, from the runtime the application resolves.
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(provider => new TierRegistrations(provider, options));
        return builder;
    }

    private sealed class TierRegistrations(IServiceProvider provider, LlmCacheHealthCheckOptions options) : IConfigureOptions<HealthCheckServiceOptions>
    {
        public void Configure(HealthCheckServiceOptions health)
        {
            var runtime = (LlmCache.LlmCacheRuntime?)provider.GetService(typeof(LlmCache.LlmCacheRuntime)) ?? LlmCache.LlmCacheRuntime.Default;
            string[] tags = [LlmCacheHealthCheckOptions.DefaultTag, .. options.Tags];
            IReadOnlyList<LlmCache.LlmCacheTierInfo> tiers = runtime.Tiers;
            if (tiers.Count == 0)
            {
                health.Registrations.Add(new HealthCheckRegistration(options.Name,
                    static _ => new MemoryOnlyHealthCheck(), options.FailureStatus, tags, options.Timeout));
                return;
            }
            foreach (LlmCache.LlmCacheTierInfo tier in tiers)
            {
                health.Registrations.Add(new HealthCheckRegistration(options.Name + ":" + tier.Name,
                    _ => new LlmCacheTierHealthCheck(tier, options), options.FailureStatus, tags, options.Timeout));
            }
        }
    }

    private sealed class MemoryOnlyHealthCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy("The cache holds entries in process memory only."));
    }
}
