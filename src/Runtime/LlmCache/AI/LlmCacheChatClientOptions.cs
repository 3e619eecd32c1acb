namespace LlmCache;

/// <summary>Settings of one <see cref="LlmCacheChatClient"/>: what <c>[LlmCached]</c> sets on a method.</summary>
public sealed class LlmCacheChatClientOptions
{
    /// <summary>How long an answer is kept; null for the runtime's default TTL.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>
    /// The fail-safe window of <see cref="LlmCacheChatClient.GetResponseAsync"/> answers, as
    /// <see cref="LlmCachedAttribute.FailSafe"/>: when the inner client fails transiently, an answer
    /// expired less than this long ago is returned instead of the exception. Null for the runtime's default.
    /// </summary>
    public TimeSpan? FailSafe { get; set; }

    /// <summary>A namespace of this client's entries, so two pipelines over the same model can be kept apart; null for none.</summary>
    public string? Namespace { get; set; }

    /// <summary>Tags of this client's entries (for invalidation by tag and for the runtime's filters).</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>
    /// Whether requests carrying a <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> are cached.
    /// Such a request continues a conversation the provider keeps: by default it always reaches the model.
    /// </summary>
    public bool CacheConversations { get; set; }
}
