using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LlmCache;

/// <summary>
/// The runtime's instruments: one <see cref="Meter"/> named <c>LlmCache</c> (from the container's
/// <see cref="IMeterFactory"/> when there is one) and one <see cref="System.Diagnostics.ActivitySource"/>
/// of the same name. Every measurement is tagged with the method id (low cardinality: one per cached
/// method), never with a key or an argument.
/// </summary>
internal sealed class LlmCacheTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "LlmCache";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly bool _ownsMeter;

    public LlmCacheTelemetry(IMeterFactory? meterFactory)
    {
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);
        _ownsMeter = meterFactory is null;
        Hits = Meter.CreateCounter<long>("llmcache.hits", "{call}", "Calls answered from the cache, by level.");
        Misses = Meter.CreateCounter<long>("llmcache.misses", "{call}", "Calls that ran the method.");
        Stores = Meter.CreateCounter<long>("llmcache.stores", "{entry}", "Entries written.");
        TokensSaved = Meter.CreateCounter<long>("llmcache.tokens.saved", "{token}", "Tokens hits did not spend, by direction (input, output) and model.");
        CostSaved = Meter.CreateCounter<double>("llmcache.cost.saved", "{currency}", "What hits did not spend at the price table's prices, by model and currency.");
        Refreshes = Meter.CreateCounter<long>("llmcache.refreshes", "{call}", "Method calls finished in the background (past a soft timeout, or an eager refresh), by outcome.");
        FailSafeServed = Meter.CreateCounter<long>("llmcache.failsafe.served", "{call}", "Calls answered by an expired entry because the method failed (or during the fail-safe throttle that follows).");
        SkippedStores = Meter.CreateCounter<long>("llmcache.stores.skipped", "{entry}", "Results not stored, by reason.");
        Errors = Meter.CreateCounter<long>("llmcache.errors", "{error}", "Cache operations that failed; the call was answered by the method.");
        TierDropped = Meter.CreateCounter<long>("llmcache.tier.dropped", "{call}", "Tier calls that failed or were skipped by an open breaker, by tier and operation.");
        BreakerChanges = Meter.CreateCounter<long>("llmcache.tier.breaker", "{change}", "Circuit breaker state changes, by tier and state.");
        LookupDuration = Meter.CreateHistogram<double>("llmcache.lookup.duration", "s", "Time to answer a call from the cache, or to find it missing.");
        MethodDuration = Meter.CreateHistogram<double>("llmcache.method.duration", "s", "Time the original method took on a miss.");
        SemanticSimilarity = Meter.CreateHistogram<double>("llmcache.semantic.similarity", "1", "Cosine similarity of the stored call that answered a semantic hit.");
        SemanticShadow = Meter.CreateCounter<long>("llmcache.semantic.shadow", "{call}",
            "Semantic hits found in shadow mode (the method answered anyway), by whether the two answers agreed.");
        SemanticRejected = Meter.CreateCounter<long>("llmcache.semantic.rejected", "{call}", "Semantic candidates over the threshold that a guard refused, by guard.");
    }

    public Histogram<double> SemanticSimilarity { get; }

    public Counter<long> SemanticShadow { get; }

    public Counter<long> SemanticRejected { get; }

    public Meter Meter { get; }

    public Counter<long> Hits { get; }

    public Counter<long> Misses { get; }

    public Counter<long> Stores { get; }

    public Counter<long> FailSafeServed { get; }

    public Counter<long> Refreshes { get; }

    public Counter<long> TokensSaved { get; }

    public Counter<double> CostSaved { get; }

    public Counter<long> SkippedStores { get; }

    public Counter<long> Errors { get; }

    public Counter<long> TierDropped { get; }

    public Counter<long> BreakerChanges { get; }

    public Histogram<double> LookupDuration { get; }

    public Histogram<double> MethodDuration { get; }

    public static KeyValuePair<string, object?> MethodTag(LlmCachedMethod method) => new(TagNames.Method, method.Id);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
