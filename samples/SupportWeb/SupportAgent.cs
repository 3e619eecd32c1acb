using LlmCache;
using Microsoft.Extensions.AI;

namespace SupportWeb;

/// <summary>The support bot: a triage step and an answer step, each cached in front of the LLM.</summary>
/// <remarks>The chat client is [NotKeyed]: the process has one, and the keyed model and messages decide what it answers.</remarks>
public sealed class SupportAgent([NotKeyed] IChatClient llm, LlmCacheRuntime cache)
{
    /// <summary>The model that answers customers (priced like gpt-4o-mini).</summary>
    public const string AnswerModel = "simulated-support-1";

    /// <summary>The model that sorts questions into queues (priced like gpt-4o).</summary>
    public const string TriageModel = "simulated-triage-1";

    private const string SystemPrompt = """
        You are the support assistant of Acme Cloud. Answer in at most three sentences, be precise,
        never invent features, and point to Settings pages by name.
        """;

    public LlmCacheRuntime Cache => cache;

    /// <summary>Answers a customer; the user id stays out of the key, so every customer asking the same question shares one answer.</summary>
    [LlmCached(Ttl = "1h", IgnoreParams = ["userId"], Tags = ["support"])]
    public Task<ChatResponse> AnswerAsync(string model, IList<ChatMessage> messages, string userId, CancellationToken ct) =>
        llm.GetResponseAsync(messages, new ChatOptions { ModelId = model, Temperature = 0f }, ct);

    /// <summary>Sorts a question into a queue (billing, account, shipping …).</summary>
    [LlmCached(Ttl = "1d", Tags = ["triage"])]
    public Task<ChatResponse> TriageAsync(string model, string question, CancellationToken ct) =>
        llm.GetResponseAsync([new ChatMessage(ChatRole.System, "Name the support queue of this question in one word."), new ChatMessage(ChatRole.User, question)],
            new ChatOptions { ModelId = model, Temperature = 0f }, ct);

    /// <summary>The conversation sent for one question.</summary>
    public static IList<ChatMessage> Conversation(string question) =>
        [new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, question)];
}
