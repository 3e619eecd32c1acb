namespace LlmCache;

/// <summary>
/// Names of the <c>AdditionalProperties</c> entries the LlmCache middleware reads and writes, shared by
/// the chat client and the embedding generator.
/// </summary>
public static class LlmCacheProperties
{
    /// <summary>Set to <c>true</c> on an answer (a chat response, a replayed update, an embedding) that came from the cache.</summary>
    public const string Hit = "llmcache.hit";

    /// <summary>Carries a per-call <see cref="CacheControl"/> on request options; the cache takes it out before keying or forwarding.</summary>
    public const string Control = "llmcache.control";
}
