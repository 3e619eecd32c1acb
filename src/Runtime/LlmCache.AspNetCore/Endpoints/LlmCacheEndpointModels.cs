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

/// <summary>The answer of a removal (<c>DELETE keys|tags|tenants/…</c>), with status 202.</summary>
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
public sealed record LlmCacheStatsResponse(LlmCacheStatistics Totals, double HitRate, string Currency, IReadOnlyList<MethodStatistics> Methods,
    IReadOnlyList<LlmCacheTierStateResponse> Tiers, int PendingRefreshes);

/// <summary>One tier as <c>GET stats</c> reports it.</summary>
/// <param name="Name">The tier's name.</param>
/// <param name="Breaker">Its circuit breaker's state: <c>closed</c>, <c>open</c>, <c>halfopen</c> or <c>isolated</c>.</param>
public sealed record LlmCacheTierStateResponse(string Name, string Breaker);

