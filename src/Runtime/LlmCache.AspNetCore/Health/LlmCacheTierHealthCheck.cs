using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmCache.AspNetCore;

/// <summary>
/// The health of one tier: Healthy when its probe answers in time; Degraded while its circuit breaker
/// is not closed (the runtime skips it) or when it answers slowly; the configured failure status
/// (Unhealthy by default) when it does not answer.
/// </summary>
internal sealed class LlmCacheTierHealthCheck : IHealthCheck
{
    private readonly LlmCacheTierInfo _tier;
    private readonly LlmCacheHealthCheckOptions _options;

    public LlmCacheTierHealthCheck(LlmCacheTierInfo tier, LlmCacheHealthCheckOptions options)
    {
        _tier = tier;
        _options = options;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        LlmCacheTierPing ping = await _tier.PingAsync(cancellationToken).ConfigureAwait(false);
        LlmCacheBreakerState breaker = _tier.BreakerState;
        var data = new Dictionary<string, object>
        {
            ["tier"] = _tier.Name,
            ["reachable"] = ping.Reachable,
            ["latencyMs"] = Math.Round(ping.Latency.TotalMilliseconds, 1),
            ["breaker"] = breaker.ToString(),
        };
        if (!ping.Reachable)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Tier {_tier.Name} does not answer.", ping.Error, data);
        }
        if (breaker != LlmCacheBreakerState.Closed)
        {
            return HealthCheckResult.Degraded($"Tier {_tier.Name} answers, but its circuit breaker is {breaker}: the cache skips it.", data: data);
        }
        if (ping.Latency > _options.SlowThreshold)
        {
            return HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"Tier {_tier.Name} answered in {ping.Latency.TotalMilliseconds:0} ms (slower than {_options.SlowThreshold.TotalMilliseconds:0} ms)."),
                data: data);
        }
        return HealthCheckResult.Healthy($"Tier {_tier.Name} answers.", data);
    }
}
