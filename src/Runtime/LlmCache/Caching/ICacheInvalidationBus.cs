namespace LlmCache;

/// <summary>
/// Implemented by a tier that can tell other processes about removals (Redis pub/sub): when one
/// process evicts an entry or a tag, every other process drops its in-process copy too.
/// </summary>
public interface ICacheInvalidationBus
{
    /// <summary>Raised when another process removed a key (the full cache key).</summary>
    event Action<string>? KeyInvalidated;

    /// <summary>Raised when another process removed a tag.</summary>
    event Action<string>? TagInvalidated;

    /// <summary>Tells the other processes that <paramref name="key"/> was removed.</summary>
    /// <param name="key">The full cache key.</param>
    Task PublishKeyAsync(string key);

    /// <summary>Tells the other processes that every entry with <paramref name="tag"/> was removed.</summary>
    /// <param name="tag">The tag.</param>
    Task PublishTagAsync(string tag);
}
