using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmCache.AspNetCore;

/// <summary>Options of the health checks <c>AddHealthChecks().AddLlmCache()</c> registers, one per tier.</summary>
public sealed class LlmCacheHealthCheckOptions
{
    /// <summary>The tag every LlmCache health check carries.</summary>
    public const string DefaultTag = "llmcache";

    /// <summary>
    /// The start of every check's name; a tier's check is named <c>{Name}:{tier name}</c>, e.g.
    /// <c>llmcache:0:SqliteCacheTier</c>; a runtime without tiers gets a single check named <c>{Name}</c>.
    /// Default: <c>llmcache</c>.
    /// </summary>
    public string Name { get; set; } = "llmcache";

    /// <summary>
    /// Tags of every check, besides <see cref="DefaultTag"/>: <c>ready</c> or <c>live</c> route them to
    /// the readiness or liveness endpoint (<c>MapHealthChecks(…, new() { Predicate = c => c.Tags.Contains("ready") })</c>).
    /// </summary>
    public IList<string> Tags { get; } = new List<string>();

    /// <summary>A probe slower than this reports the tier <see cref="HealthStatus.Degraded"/>. Default: 200 ms.</summary>
    public TimeSpan SlowThreshold { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// What a tier that does not answer reports. Default: <see cref="HealthStatus.Unhealthy"/>; set
    /// <see cref="HealthStatus.Degraded"/> when the application runs fine without the tier (the cache
    /// degrades to the LLM call) and a probe must not take it out of rotation.
    /// </summary>
    public HealthStatus FailureStatus { get; set; } = HealthStatus.Unhealthy;

    /// <summary>How long one check may take in all. Default: none (each probe is bounded by the tier timeout).</summary>
    public TimeSpan? Timeout { get; set; }
}
