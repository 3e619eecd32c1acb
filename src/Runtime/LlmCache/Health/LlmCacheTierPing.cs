namespace LlmCache;

/// <summary>The outcome of one <see cref="LlmCacheTierInfo.PingAsync"/>: whether the tier answered, and how fast.</summary>
/// <param name="Reachable">True when the tier answered the probe read within the tier timeout.</param>
/// <param name="Latency">How long the probe read took (up to the timeout when it did not answer).</param>
/// <param name="Error">Why the tier did not answer (its exception, or a <see cref="TimeoutException"/>); null when it did.</param>
public sealed record LlmCacheTierPing(bool Reachable, TimeSpan Latency, Exception? Error);
