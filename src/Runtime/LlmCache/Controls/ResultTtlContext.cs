namespace LlmCache;

/// <summary>What <see cref="LlmCacheOptions.ResultTtl"/> sees: the method, its result and the TTL it would get.</summary>
/// <param name="Method">The cached method.</param>
/// <param name="Result">The value the method returned (for a stream, the array of its items).</param>
/// <param name="Ttl">The TTL the entry would get otherwise.</param>
public readonly record struct ResultTtlContext(LlmCachedMethod Method, object? Result, TimeSpan Ttl);
