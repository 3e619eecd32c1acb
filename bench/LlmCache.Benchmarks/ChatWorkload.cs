using System.Security.Cryptography;
using System.Text.Json;
using LlmCache;
using Microsoft.Extensions.AI;

namespace LlmCache.Benchmarks;

/// <summary>One realistic 2 KB chat request (a 1 KB system prompt, three turns, options with a tool) and its answer.</summary>
public static class ChatWorkload
{
    public static readonly string SystemPrompt = string.Concat(Enumerable.Repeat(
        "You are the support assistant of Acme Cloud. Answer briefly, cite Settings pages by name, never invent features. ", 9));

    public static List<ChatMessage> Messages() =>
    [
        new(ChatRole.System, SystemPrompt),
        new(ChatRole.User, "How do I rotate my API key without downtime for the production workspace?"),
        new(ChatRole.Assistant, "Create a second key under Settings > API, deploy it, then revoke the old key once traffic has moved."),
        new(ChatRole.User, "And how do I check that no service still uses the old key before I revoke it?"),
    ];

    public static readonly AIFunction Tool = AIFunctionFactory.Create((string keyId) => "unused", "key_usage", "Last use of an API key");

    public static ChatOptions Options() => new() { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 400, Tools = [Tool] };

    public static ChatResponse Answer() => new(new ChatMessage(ChatRole.Assistant,
        "Open Settings > API > Keys: each key shows its last use. Wait until the old key shows no use for a full day, then revoke it."))
    {
        ModelId = "gpt-4o-mini",
        Usage = new UsageDetails { InputTokenCount = 520, OutputTokenCount = 40, TotalTokenCount = 560 },
    };

    /// <summary>A long answer (about 2.5 KB of prose in JSON), as a detailed support reply is: for value-size measurements.</summary>
    public static ChatResponse LongAnswer() => new(new ChatMessage(ChatRole.Assistant, """
        Rotating an API key without downtime takes four steps, and none of them needs a maintenance window.
        First, open Settings > API > Keys in the production workspace and create a second key with the same
        scopes as the one you are replacing. Give it a name that says when it was created, for example
        "prod-2026-11", so that nobody confuses the two later. Copy the secret now: it is shown only once.
        Second, deploy the new key to every service that calls the API. If you keep secrets in a vault,
        update the entry and let your services reload it; if they read it from environment variables,
        roll your deployments one at a time so that each instance restarts with the new value while the
        others keep serving traffic with the old one. Both keys are valid during this period.
        Third, watch the old key. Each key in Settings > API > Keys shows the time of its last use and the
        address that used it. Wait until the old key has not been used for a full day: batch jobs and
        scheduled reports often run only once a night and are easy to forget. If the old key is still in
        use, the address tells you which machine to look at.
        Fourth, revoke the old key. Revocation takes effect within a minute everywhere. If something breaks,
        you can create a new key immediately, but you cannot restore a revoked one, so check the last-use
        column once more before you click. Finally, note the rotation in your runbook, and consider setting
        an expiry date on the new key so that the next rotation is scheduled rather than forgotten.
        """))
    {
        ModelId = "gpt-4o-mini",
        Usage = new UsageDetails { InputTokenCount = 520, OutputTokenCount = 560, TotalTokenCount = 1080 },
    };

    /// <summary>How LiteLLM keys (and what FusionCache users typically write): JSON of the request, then SHA-256.</summary>
    public static string JsonSha256Key(IList<ChatMessage> messages, ChatOptions options)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new JsonKey(messages, options), AIJsonUtilities.DefaultOptions);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }

    private sealed record JsonKey(IList<ChatMessage> Messages, ChatOptions Options);
}

/// <summary>The application code under test: one cached method in front of a chat client.</summary>
// One client for every call in the benchmark: it cannot change the answer between instances.
public sealed class CachedAgent([NotKeyed] IChatClient llm, LlmCacheRuntime cache)
{
    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<ChatResponse> AskAsync(IList<ChatMessage> messages, ChatOptions options, CancellationToken ct = default) =>
        llm.GetResponseAsync(messages, options, ct);

    [LlmCached(Ttl = "1h")]
    public Task<string> AskTextAsync(IList<ChatMessage> messages, ChatOptions options, CancellationToken ct = default) =>
        Task.FromResult("unused");

    [LlmCached(Ttl = "1h")]
    public Task<ChatResponse> MissAsync(long unique, string prompt, CancellationToken ct = default) =>
        llm.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], null, ct);
}

/// <summary>An LLM that answers at once, so the benchmarks measure the cache.</summary>
public sealed class InstantChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(ChatWorkload.Answer());

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
