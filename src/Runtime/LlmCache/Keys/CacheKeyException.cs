namespace LlmCache;

/// <summary>
/// Thrown while a key is being written when a value cannot be keyed (nesting beyond
/// <see cref="KeyWriter.MaxDepth"/>, a runtime type with no canonical encoding). The runtime catches
/// it and calls the method without the cache: a key failure never fails the caller.
/// </summary>
public sealed class CacheKeyException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public CacheKeyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public CacheKeyException(string message, Exception inner) : base(message, inner) { }
}
