namespace LlmCache.AspNetCore;

/// <summary>The answer of <c>GET ping</c>: one entry per tier, in chain order.</summary>
/// <param name="Tiers">The tiers' probes.</param>
public sealed record LlmCachePingResponse(IReadOnlyList<LlmCacheTierPingResponse> Tiers);

/// <summary>One tier's probe, as <c>GET ping</c> reports it.</summary>
/// <param name="Name">The tier's name (<see cref="LlmCacheTierInfo.Name"/>).</param>
/// <param name="Kind">The tier's type name.</param>
/// <param name="Reachable">Whether it answered within the tier timeout.</param>
/// <param name="LatencyMs">How long the probe took, in milliseconds.</param>
/// <param name="Breaker">Its circuit breaker's state: <c>closed</c>, <c>open</c>, <c>halfopen</c> or <c>isolated</c>.</param>
/// <param name="Error">Why it did not answer (the exception's type and message), or null.</param>
public sealed record LlmCacheTierPingResponse(string Name, string Kind, bool Reachable, double LatencyMs, string Breaker, string? Error);

/// <summary>The answer of a removal (<c>DELETE keys|tags|methods|tenants/…</c>), with status 202.</summary>
/// <param name="Complete">
/// True when every tier confirmed the removal; false when a tier could not be reached: the removal is
/// retried in the background, and this process never serves the removed entries meanwhile.
/// </param>
public sealed record LlmCacheRemovalResponse(bool Complete);

/// <summary>The body of <c>POST namespace</c> and its answer.</summary>
/// <param name="Namespace">The new namespace (1-64 letters, digits, '.', '_' or '-'): every entry written under another one is orphaned.</param>
public sealed record LlmCacheNamespaceRequest(string? Namespace);

/// <summary>The answer of <c>GET stats</c>: the runtime's totals, each method's figures, and its tiers.</summary>
/// <param name="Totals">What the runtime has done since it was created (<see cref="LlmCacheRuntime.Statistics"/>).</param>
/// <param name="HitRate">Hits among all calls, 0 before the first.</param>
/// <param name="Currency">The currency of the cost figures (<see cref="LlmCacheOptions.PriceCurrency"/>).</param>
/// <param name="Methods">Each method's figures, most cost saved first, then most hits.</param>
/// <param name="Tiers">Each tier's name and breaker state (probe them with <c>GET ping</c>).</param>
/// <param name="PendingRefreshes">Method calls running in the background now.</param>
/// <param name="Meter">Latencies, savings by model, errors and tier drops, as the meter reported them since the endpoints were mapped.</param>
public sealed record LlmCacheStatsResponse(LlmCacheStatistics Totals, double HitRate, string Currency, IReadOnlyList<MethodStatistics> Methods,
    IReadOnlyList<LlmCacheTierStateResponse> Tiers, int PendingRefreshes, LlmCacheMeterResponse Meter);

/// <summary>One tier as <c>GET stats</c> reports it.</summary>
/// <param name="Name">The tier's name.</param>
/// <param name="Breaker">Its circuit breaker's state: <c>closed</c>, <c>open</c>, <c>halfopen</c> or <c>isolated</c>.</param>
/// <param name="Hits">Reads it answered with an entry (<see cref="LlmCacheTierInfo.Hits"/>).</param>
public sealed record LlmCacheTierStateResponse(string Name, string Breaker, long Hits);


/// <summary>
/// What the runtime's meter reported since the endpoints were mapped (<see cref="Since"/>): latencies,
/// savings by model, errors by operation and tier calls dropped. Part of <c>GET stats</c>.
/// </summary>
/// <param name="Since">When counting started (the endpoints' mapping).</param>
/// <param name="Latency">Mean time to answer a hit, to find a miss, and the method's own time on a miss.</param>
/// <param name="Methods">The same, per method.</param>
/// <param name="Models">Tokens and cost saved per method and model, most cost first.</param>
/// <param name="Errors">Failed cache operations, by operation (get, set, remove …).</param>
/// <param name="TierDrops">Tier calls that failed or that an open breaker skipped, by tier and operation.</param>
public sealed record LlmCacheMeterResponse(DateTimeOffset Since, LlmCacheLatencyResponse Latency, IReadOnlyList<LlmCacheMethodLatencyResponse> Methods,
    IReadOnlyList<LlmCacheModelSavingsResponse> Models, IReadOnlyList<LlmCacheCountResponse> Errors, IReadOnlyList<LlmCacheCountResponse> TierDrops);

/// <summary>Mean latencies of the calls the meter saw.</summary>
/// <param name="Hit">Calls answered from the cache: the lookup's time.</param>
/// <param name="Miss">Calls that ran the method: the lookup's time, without the method's.</param>
/// <param name="Method">Calls that ran the method: the method's own time (what a hit avoids).</param>
public sealed record LlmCacheLatencyResponse(LlmCacheTimingResponse Hit, LlmCacheTimingResponse Miss, LlmCacheTimingResponse Method);

/// <summary>One method's mean latencies.</summary>
/// <param name="MethodId">The method's id.</param>
/// <param name="Hit">Its hits' lookup time.</param>
/// <param name="Miss">Its misses' lookup time, without the method's.</param>
/// <param name="Method">Its method's own time on a miss.</param>
public sealed record LlmCacheMethodLatencyResponse(string MethodId, LlmCacheTimingResponse Hit, LlmCacheTimingResponse Miss, LlmCacheTimingResponse Method);

/// <summary>A number of measurements and their mean.</summary>
/// <param name="Count">How many were measured.</param>
/// <param name="MeanMs">Their mean, in milliseconds (0 when none).</param>
public sealed record LlmCacheTimingResponse(long Count, double MeanMs);

/// <summary>What hits of one method saved for one model.</summary>
/// <param name="MethodId">The method's id.</param>
/// <param name="Model">The model the cached answers report (<c>unknown</c> when they report none).</param>
/// <param name="InputTokensSaved">Input tokens not sent again.</param>
/// <param name="OutputTokensSaved">Output tokens not generated again.</param>
/// <param name="CostSaved">Their cost at the price table's prices (0 for a model without a price).</param>
public sealed record LlmCacheModelSavingsResponse(string MethodId, string Model, long InputTokensSaved, long OutputTokensSaved, double CostSaved);

/// <summary>A count under a name.</summary>
/// <param name="Name">What was counted (an operation, a tier and operation …).</param>
/// <param name="Count">How many.</param>
public sealed record LlmCacheCountResponse(string Name, long Count);
