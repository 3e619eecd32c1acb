namespace LlmCache;

/// <summary>The state of a tier's circuit breaker (see <see cref="TierResilienceOptions"/>).</summary>
public enum LlmCacheBreakerState
{
    /// <summary>Calls reach the tier.</summary>
    Closed,

    /// <summary>Too many calls failed: the tier is skipped (a miss, a dropped write) until the break ends.</summary>
    Open,

    /// <summary>The break is over and a trial call decides whether the breaker closes or opens again.</summary>
    HalfOpen,

    /// <summary>Held open by hand; not used by the runtime today.</summary>
    Isolated,
}
