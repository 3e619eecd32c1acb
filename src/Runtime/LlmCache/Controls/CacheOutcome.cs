namespace LlmCache;

/// <summary>Where a cached call's result came from.</summary>
public enum CacheSource
{
    /// <summary>The method ran (a miss, a refresh, or the cache was bypassed).</summary>
    Method,

    /// <summary>The in-process memory level.</summary>
    Memory,

    /// <summary>A second-level tier (disk, Redis, S3).</summary>
    Distributed,

    /// <summary>A stored call that means the same (<see cref="LlmCachedAttribute.Semantic"/>), from any level.</summary>
    Semantic,
}

/// <summary>What one cached call did, as reported to an <see cref="LlmCacheScope.Observe"/> probe.</summary>
/// <param name="MethodId">The cached method's id.</param>
/// <param name="Hit">Whether the result came from the cache.</param>
/// <param name="Source">The level that answered.</param>
/// <param name="Stored">Whether this call stored a fresh entry.</param>
/// <param name="KeyHash">The last 16 hex digits of the key's hash (never the key's inputs).</param>
public readonly record struct CacheOutcome(string MethodId, bool Hit, CacheSource Source, bool Stored, string KeyHash)
{
    /// <summary>
    /// True when the answer is an expired entry served because the method failed (fail-safe, see
    /// <see cref="LlmCachedAttribute.FailSafe"/>), or kept from one during the fail-safe throttle.
    /// </summary>
    public bool Stale { get; init; }

    /// <summary>How old the answer was when it was served (set for a <see cref="Stale"/> answer).</summary>
    public TimeSpan? Age { get; init; }

    /// <summary>For a hit: the input tokens the answer reports, which the provider was not asked to process again.</summary>
    public long InputTokensSaved { get; init; }

    /// <summary>For a hit: the output tokens the answer reports, which the provider was not asked to generate again.</summary>
    public long OutputTokensSaved { get; init; }

    /// <summary>
    /// For a hit: what those tokens cost at the answering model's price (<see cref="LlmCacheOptions.Prices"/>),
    /// in <see cref="LlmCacheOptions.PriceCurrency"/>; null when the model has no price.
    /// </summary>
    public decimal? CostSaved { get; init; }

    /// <summary>
    /// For a semantic hit (<see cref="CacheSource.Semantic"/>), or a would-be hit in shadow mode: the cosine
    /// similarity of the stored call that answered.
    /// </summary>
    public double? Similarity { get; init; }

    /// <summary>For a semantic hit, or a would-be hit in shadow mode: the last 16 hex digits of the matched entry's key.</summary>
    public string? MatchedKeyHash { get; init; }
}

/// <summary>
/// Collects the outcome of every cached call made inside an <see cref="LlmCacheScope.Observe"/> scope
/// (LiteLLM's <c>cache_hit</c>, but per call and with the level).
/// </summary>
public sealed class CacheProbe : IDisposable
{
    /// <summary>How many recent outcomes a probe keeps (a long-lived probe must not grow without bound).</summary>
    public const int Capacity = 256;

    private readonly List<CacheOutcome> _outcomes = new();
    private long _hits;
    private long _misses;
    private readonly LlmCacheScope.Frame? _previous;

    internal CacheProbe(LlmCacheScope.Frame? previous) => _previous = previous;

    /// <summary>The outcome of the last cached call in this scope, or null before the first.</summary>
    public CacheOutcome? Last
    {
        get
        {
            lock (_outcomes)
            {
                return _outcomes.Count == 0 ? null : _outcomes[^1];
            }
        }
    }

    /// <summary>Hits recorded by this probe.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Misses recorded by this probe.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The most recent outcomes (up to <see cref="Capacity"/>), in completion order.</summary>
    public IReadOnlyList<CacheOutcome> Outcomes
    {
        get
        {
            lock (_outcomes)
            {
                return _outcomes.ToArray();
            }
        }
    }

    internal void Record(CacheOutcome outcome)
    {
        Interlocked.Increment(ref outcome.Hit ? ref _hits : ref _misses);
        lock (_outcomes)
        {
            if (_outcomes.Count == Capacity)
            {
                _outcomes.RemoveAt(0);
            }
            _outcomes.Add(outcome);
        }
    }

    /// <summary>Adds a shadow-mode match to the last outcome recorded for <paramref name="keyHash"/>.</summary>
    internal void AnnotateLast(string keyHash, double similarity, string matchedKeyHash)
    {
        lock (_outcomes)
        {
            for (int i = _outcomes.Count - 1; i >= 0; i--)
            {
                if (_outcomes[i].KeyHash == keyHash)
                {
                    _outcomes[i] = _outcomes[i] with { Similarity = similarity, MatchedKeyHash = matchedKeyHash };
                    return;
                }
            }
        }
    }

    /// <summary>Ends the scope.</summary>
    public void Dispose() => LlmCacheScope.Restore(_previous);
}
