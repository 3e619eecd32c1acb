namespace LlmCache;

/// <summary>
/// Marks a method whose results are cached. Every call site of the method in the same project is
/// rerouted at compile time through a generated interceptor that builds a key from the arguments
/// and serves the result from the LlmCache runtime.
/// </summary>
/// <remarks>
/// The method must return <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c> or
/// <c>IAsyncEnumerable&lt;T&gt;</c>. <see cref="System.Threading.CancellationToken"/> parameters never
/// enter the key.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LlmCachedAttribute : Attribute
{
    /// <summary>
    /// Lifetime of an entry: TimeSpan's invariant <c>[d.]hh:mm:ss[.fffffff]</c> or a short form such as
    /// <c>30s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c>. When not set, <see cref="LlmCacheOptions.DefaultTtl"/> applies.
    /// </summary>
    public string? Ttl { get; set; }

    /// <summary>Names of parameters that do not enter the key (a user id, a logger, a trace id …).</summary>
    public string[]? IgnoreParams { get; set; }

    /// <summary>
    /// A per-method namespace (version). Changing it orphans every entry the method wrote before,
    /// without touching other methods.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// The parameter that identifies the tenant (organisation, customer, API key owner). Its value
    /// partitions the key — hashed, never stored raw — so two tenants never share an entry and one
    /// cannot learn another's prompts from hits.
    /// </summary>
    public string? Tenant { get; set; }

    /// <summary>Tags attached to every entry of the method, usable for removal by tag.</summary>
    public string[]? Tags { get; set; }

    /// <summary>
    /// The fail-safe window, in the same format as <see cref="Ttl"/> (e.g. <c>1d</c>): an expired entry is
    /// kept this much longer in every level, and when the method then fails with a transient error (a
    /// network failure, a timeout, HTTP 429 or 5xx; see <see cref="LlmCacheOptions.FailSafeWhen"/>) the
    /// caller gets that last good answer instead of the exception. When not set,
    /// <see cref="LlmCacheOptions.FailSafe"/> applies (off by default).
    /// </summary>
    public string? FailSafe { get; set; }

    /// <summary>
    /// With an expired entry at hand (kept by <see cref="FailSafe"/>), a call whose method takes longer
    /// than this (same format as <see cref="Ttl"/>, e.g. <c>2s</c>) is answered with that entry; the method
    /// goes on in the background, bounded by <see cref="HardTimeout"/>, and its answer refreshes the entry.
    /// When not set, <see cref="LlmCacheOptions.SoftTimeout"/> applies (off by default).
    /// </summary>
    public string? SoftTimeout { get; set; }

    /// <summary>
    /// How long a method finishing in the background (after a <see cref="SoftTimeout"/>, or an
    /// <see cref="EagerRefresh"/>) may run before it is cancelled. When not set,
    /// <see cref="LlmCacheOptions.HardTimeout"/> applies.
    /// </summary>
    public string? HardTimeout { get; set; }

    /// <summary>
    /// A fraction of an entry's life (above 0, below 1; e.g. <c>0.9</c>) after which a hit also starts
    /// one background call of the method that refreshes the entry, so a popular answer never expires
    /// under its callers. 0 (the default): <see cref="LlmCacheOptions.EagerRefresh"/> applies.
    /// </summary>
    public double EagerRefresh { get; set; }

    /// <summary>
    /// The one parameter compared by meaning (use <c>nameof</c>): a <c>string</c>, or a list of chat
    /// messages, whose last user message is compared while earlier turns stay exact. A call whose
    /// exact key misses is answered by a stored call of the same method whose text embeds at least
    /// <see cref="Similarity"/> close, and whose every other keyed input (other parameters, instance
    /// state, tenant, namespace) is identical: semantic matching only ever happens inside that exact
    /// partition, and the guards of <see cref="LlmCacheOptions.Semantic"/> must agree. Needs an
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (from the service collection, or
    /// <see cref="SemanticCacheOptions.EmbeddingGenerator"/>); without one the method is cached exactly.
    /// </summary>
    public string? Semantic { get; set; }

    /// <summary>
    /// The cosine similarity at or above which a stored call answers (above 0, at most 1). When not
    /// set, <see cref="SemanticCacheOptions.Similarity"/> applies.
    /// </summary>
    public double Similarity { get; set; }
}
