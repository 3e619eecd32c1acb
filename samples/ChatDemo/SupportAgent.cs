using LlmCache;
using Microsoft.Extensions.AI;

namespace ChatDemo;

/// <summary>The application code: one cached method in front of the LLM.</summary>
/// <remarks>
/// The client is declared [NotKeyed]: the process has one, and what it answers with is decided by the
/// keyed arguments (the model, the messages, the options). An agent that held clients for different
/// models would mark it [CacheKey] on a keyable description instead (LLMC014).
/// </remarks>
// Public so that ChatDemo.Tests, another project, calls it through the cache (a public [LlmCached]
// method is exported to the projects that reference this one).
public sealed class SupportAgent([NotKeyed] IChatClient llm, LlmCacheRuntime cache)
{
    public const string SystemPrompt = """
        You are the support assistant of Acme Cloud. Answer in at most three sentences, be precise,
        never invent features, and point to Settings pages by name. If the question is about billing,
        remind the customer that invoices are under Settings > Billing.
        """;

    public LlmCacheRuntime Cache => cache;

    /// <summary>
    /// Asks the LLM. The user id is ignored by the cache (every customer asking the same question
    /// shares one answer); the model, messages and options are all part of the key.
    /// </summary>
    [LlmCached(Ttl = "1h", IgnoreParams = ["userId"], Tags = ["support"])]
    public Task<ChatResponse> AnswerAsync(string model, IList<ChatMessage> messages, ChatOptions? options, string userId, CancellationToken ct) =>
        llm.GetResponseAsync(messages, options, ct);

    /// <summary>
    /// The same call, also answered by a stored call that means the same (<c>--semantic</c>): the last
    /// user message is compared by meaning, everything else (the model, the system prompt, earlier
    /// turns, the options) must be equal.
    /// </summary>
    [LlmCached(Ttl = "1h", IgnoreParams = ["userId"], Tags = ["support"], Semantic = nameof(messages))]
    public Task<ChatResponse> AnswerAnyWordingAsync(string model, IList<ChatMessage> messages, ChatOptions? options, string userId, CancellationToken ct) =>
        llm.GetResponseAsync(messages, options, ct);
}
