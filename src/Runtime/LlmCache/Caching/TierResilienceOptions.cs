namespace LlmCache;

/// <summary>
/// The Polly pipeline around every call to a tier: a timeout, then a circuit breaker, and for writes
/// and removals (idempotent, and never awaited on a hit) a few retries. The defaults favour the LLM
/// call: a slow tier costs a read at most about one timeout, and nothing at all while its breaker is
/// open; reads are never retried; the breaker closes again by itself once a trial call succeeds.
/// </summary>
public sealed class TierResilienceOptions
{
    /// <summary>Longest a single tier call may take. Default: 500 ms.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Share of failed calls (in the sampling window) that opens the breaker. Default: 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the ratio counts. Default: 4.</summary>
    public int MinimumThroughput { get; set; } = 4;

    /// <summary>The sampling window. Default: 10 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the breaker stays open before a trial call. Default: 15 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Retries of a failed write or removal (both idempotent; a lost removal would leave a stale entry
    /// behind). Reads are never retried: the LLM call is the fallback. Not retried while the breaker is
    /// open. Default: 2.
    /// </summary>
    public int WriteRetries { get; set; } = 2;

    /// <summary>The delay before the first retry, doubled for each next one, with jitter. Default: 100 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
