namespace LlmCache;

/// <summary>What every stored entry has, whatever its value's type.</summary>
internal abstract class CacheEntry
{
    /// <summary>What a hit of this entry saves, once computed (<see cref="SavedCost"/>); never serialized.</summary>
    public SavedCost? LastSaving { get; set; }
}

/// <summary>
/// What the cache stores for one call: the value, when it was created and when it expires. The times
/// travel with the value through every tier, so expiry and maximum age are checked against the
/// runtime's own clock wherever the entry was found.
/// </summary>
/// <typeparam name="T">The cached method's result type.</typeparam>
internal sealed class CacheEntry<T> : CacheEntry
{
    public CacheEntry(T value, long createdUtcTicks, long expiresUtcTicks, LlmCachedMethod? method = null)
    {
        Value = value;
        CreatedUtcTicks = createdUtcTicks;
        ExpiresUtcTicks = expiresUtcTicks;
        Method = method;
    }

    /// <summary>The method that produced a fresh entry, for telemetry while it is stored; never serialized.</summary>
    public LlmCachedMethod? Method { get; }

    /// <summary>
    /// One of several answers a snapshot recorded for this call: never kept in memory, so that the next
    /// call reads the next one (<see cref="SnapshotTier"/> serves them in turn).
    /// </summary>
    public bool Sampled { get; init; }

    /// <summary>Set by the serializer when the entry exceeds the size limit: the runtime then removes what HybridCache kept.</summary>
    public bool TooLarge { get; set; }

    public T Value { get; }

    /// <summary>
    /// A completed task of <see cref="Value"/>, made once and handed to every caller of a <c>Task&lt;T&gt;</c>
    /// method when <typeparamref name="T"/> is immutable: such a hit allocates nothing.
    /// </summary>
    public Task<T> CompletedTask => _completedTask ??= Task.FromResult(Value);

    private Task<T>? _completedTask;

    public long CreatedUtcTicks { get; }

    public long ExpiresUtcTicks { get; }

    /// <summary>
    /// For an entry that answers in place of a failing method (<see cref="LlmCacheRuntime"/>'s fail-safe
    /// throttle): the end of the original entry's fail-safe window, which this one never extends. Zero otherwise.
    /// </summary>
    public long FailSafeUntilUtcTicks { get; init; }

    /// <summary>Whether this entry is a stale answer kept to answer for a failing method.</summary>
    public bool IsStale => FailSafeUntilUtcTicks != 0;

    /// <summary>Until when the entry may answer a failed call: the end of its fail-safe window.</summary>
    public long FailSafeLimit(TimeSpan window) =>
        FailSafeUntilUtcTicks != 0 ? FailSafeUntilUtcTicks
        : window.Ticks >= DateTime.MaxValue.Ticks - ExpiresUtcTicks ? DateTime.MaxValue.Ticks
        : ExpiresUtcTicks + window.Ticks;

}
