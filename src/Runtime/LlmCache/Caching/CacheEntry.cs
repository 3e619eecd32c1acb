namespace LlmCache;

/// <summary>
/// What the cache stores for one call: the value, when it was created and when it expires. The times
/// travel with the value through every tier, so expiry and maximum age are checked against the
/// runtime's own clock wherever the entry was found.
/// </summary>
/// <typeparam name="T">The cached method's result type.</typeparam>
internal sealed class CacheEntry<T>
{
    public CacheEntry(T value, long createdUtcTicks, long expiresUtcTicks, long sequence)
    {
        Value = value;
        CreatedUtcTicks = createdUtcTicks;
        ExpiresUtcTicks = expiresUtcTicks;
        Sequence = sequence;
    }

    public T Value { get; }

    public long CreatedUtcTicks { get; }

    public long ExpiresUtcTicks { get; }

    /// <summary>
    /// The runtime's creation counter when this process made the entry; 0 once it has been through a
    /// serializer. A caller compares it with the counter it saw on entry to tell a fresh result from a hit.
    /// </summary>
    public long Sequence { get; }
}
