namespace LlmCache;

/// <summary>What a runtime has done since it was created.</summary>
/// <param name="Hits">Calls answered from the cache.</param>
/// <param name="Misses">Calls that ran the method (concurrent identical misses run it once and count once per caller).</param>
/// <param name="Errors">Cache operations that failed; each such call still got its answer from the method.</param>
/// <param name="KeyFailures">Calls whose arguments could not be keyed; each ran the method uncached.</param>
/// <param name="FailSafeServed">Hits answered by an expired entry because the method failed, or during the fail-safe throttle after such a call (counted in <paramref name="Hits"/> too).</param>
/// <param name="InputTokensSaved">Input tokens the hits' answers report: what the provider was not asked to process again.</param>
/// <param name="OutputTokensSaved">Output tokens the hits' answers report: what the provider was not asked to generate again.</param>
/// <param name="CostSaved">What those tokens cost at <see cref="LlmCacheOptions.Prices"/>, in <see cref="LlmCacheOptions.PriceCurrency"/> (models without a price count zero).</param>
public readonly record struct LlmCacheStatistics(long Hits, long Misses, long Errors, long KeyFailures, long FailSafeServed = 0,
    long InputTokensSaved = 0, long OutputTokensSaved = 0, decimal CostSaved = 0);
