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
