using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Semantic;

/// <summary>Semantic methods of every kind the generator accepts, counting their calls.</summary>
public sealed class SupportBot(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public LlmCacheRuntime Runtime => _runtime;

    /// <summary>The answer names the question, so a test can tell which stored call answered.</summary>
    [LlmCached(Ttl = "1h", Semantic = nameof(question), Similarity = 0.8, Tags = ["support"])]
    public Task<string> AskAsync(string model, string question)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult($"{model}: answer to '{question}'");
    }

    [LlmCached(Ttl = "1h", Semantic = nameof(question), Similarity = 0.8, Tenant = nameof(tenant))]
    public ValueTask<string> AskForAsync(string tenant, string question)
    {
        Interlocked.Increment(ref _calls);
        return new ValueTask<string>($"{tenant}: answer to '{question}'");
    }

    [LlmCached(Ttl = "1h", Semantic = nameof(messages), Similarity = 0.8)]
    public Task<ChatResponse> ChatAsync(IList<ChatMessage> messages, ChatOptions? options = null)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "reply to: " + messages[^1].Text))
        {
            ModelId = "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, TotalTokenCount = 120 },
        });
    }

    /// <summary>Answers the same whatever the wording (a shadow run's answers agree).</summary>
    [LlmCached(Ttl = "1h", Semantic = nameof(question), Similarity = 0.8)]
    public Task<string> PolicyAsync(string question)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(question.Contains("refund", StringComparison.OrdinalIgnoreCase) ? "Refunds take 5 days." : "See the help center.");
    }
}
