using System.Collections.Concurrent;

namespace LlmCache;

/// <summary>What one cached method (or middleware shape) has done in a runtime since it was created.</summary>
/// <param name="MethodId">The method's id (type, name and signature fingerprint).</param>
/// <param name="MemoryHits">Calls answered from the in-process level.</param>
/// <param name="DistributedHits">Calls answered from a tier (disk, Redis, S3, snapshots).</param>
/// <param name="Misses">Calls that ran the method.</param>
/// <param name="FailSafeServed">Hits that were stale answers (fail-safe, its throttle, a soft timeout); counted in the hits too.</param>
/// <param name="InputTokensSaved">Input tokens the hits' answers report.</param>
/// <param name="OutputTokensSaved">Output tokens the hits' answers report.</param>
/// <param name="CostSaved">What those tokens cost at the price table's prices, in <see cref="LlmCacheOptions.PriceCurrency"/>.</param>
/// <param name="SkippedStores">Answers not stored, by reason (no-store, too-large, removed …).</param>
public sealed record MethodStatistics(string MethodId, long MemoryHits, long DistributedHits, long Misses, long FailSafeServed,
    long InputTokensSaved, long OutputTokensSaved, decimal CostSaved, IReadOnlyDictionary<string, long> SkippedStores)
{
    /// <summary>Calls answered by a stored call that means the same (<see cref="LlmCachedAttribute.Semantic"/>).</summary>
    public long SemanticHits { get; init; }

    /// <summary>All hits, from any level, semantic ones included.</summary>
    public long Hits => MemoryHits + DistributedHits + SemanticHits;

    /// <summary>Hits among all calls, 0 before the first.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

/// <summary>The counters behind one method's <see cref="MethodStatistics"/>: one instance per method and runtime, found once per configuration.</summary>
internal sealed class MethodCounters(string methodId)
{
    public long MemoryHits;
    public long DistributedHits;
    public long Misses;
    public long FailSafeServed;
    public long InputTokensSaved;
    public long OutputTokensSaved;
    public long CostSavedNanos;
    public readonly ConcurrentDictionary<string, long> SkippedStores = new(StringComparer.Ordinal);

    public long SemanticHits;

    public void Hit(CacheSource source)
    {
        switch (source)
        {
            case CacheSource.Memory: Interlocked.Increment(ref MemoryHits); break;
            case CacheSource.Semantic: Interlocked.Increment(ref SemanticHits); break;
            default: Interlocked.Increment(ref DistributedHits); break;
        }
    }

    /// <summary>
    /// When this method's entries were last removed (UTC ticks): an entry created at or before it is never
    /// served, and a store by a call started before it is dropped. Held here so the check costs one read.
    /// </summary>
    public long RemovedUtcTicks;

    /// <summary>Raises <see cref="RemovedUtcTicks"/> to <paramref name="ticks"/> (never lowers it).</summary>
    public void Removed(long ticks)
    {
        long seen = Volatile.Read(ref RemovedUtcTicks);
        while (ticks > seen)
        {
            long raced = Interlocked.CompareExchange(ref RemovedUtcTicks, ticks, seen);
            if (raced == seen)
            {
                return;
            }
            seen = raced;
        }
    }


    public MethodStatistics Snapshot() => new(methodId, Interlocked.Read(ref MemoryHits), Interlocked.Read(ref DistributedHits),
        Interlocked.Read(ref Misses), Interlocked.Read(ref FailSafeServed), Interlocked.Read(ref InputTokensSaved),
        Interlocked.Read(ref OutputTokensSaved), Interlocked.Read(ref CostSavedNanos) / 1_000_000_000m,
        new Dictionary<string, long>(SkippedStores, StringComparer.Ordinal)) { SemanticHits = Interlocked.Read(ref SemanticHits) };
}
