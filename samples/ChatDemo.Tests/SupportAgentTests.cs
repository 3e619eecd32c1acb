using System.Reflection;
using LlmCache;
using Microsoft.Extensions.AI;
using Xunit;

namespace ChatDemo.Tests;

/// <summary>
/// SupportAgent against recorded answers. Runs in Replay unless <c>LLMCACHE_MODE=record</c>: then it
/// calls the simulated LLM and rewrites <c>Snapshots/</c>, which is committed and reviewed in the diff.
/// </summary>
public sealed class SupportAgentTests
{
    private const string Model = "simulated-support-1";

    private static readonly string[] s_questions =
    [
        "How do I reset my password?",
        "Where can I download my invoice?",
        "Why was my card declined?",
    ];

    private static readonly string s_snapshots = typeof(SupportAgentTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SnapshotFolder").Value!;

    /// <summary>Record when asked to, replay otherwise: a run in CI never reaches a model.</summary>
    private static LlmCacheMode Mode => LlmCacheOptions.ModeFromEnvironment() == LlmCacheMode.Record ? LlmCacheMode.Record : LlmCacheMode.Replay;

    private static LlmCacheRuntime Runtime(LlmCacheMode mode) => new(new LlmCacheOptions
    {
        Mode = mode,
        Tiers = { new SnapshotTier(new SnapshotTierOptions { Directory = s_snapshots, IncludeArguments = true }) },
    });

    private static List<ChatMessage> Ask(string question, string systemPrompt = SupportAgent.SystemPrompt) =>
    [
        new(ChatRole.System, systemPrompt),
        new(ChatRole.User, question),
    ];

    private static ChatOptions Options => new() { ModelId = Model, Temperature = 0f };

    [Fact]
    public async Task Answers_PointToSettings_WithoutCallingTheModel()
    {
        LlmCacheMode mode = Mode;
        using LlmCacheRuntime runtime = Runtime(mode);
        var llm = new CountingChatClient(new SimulatedChatClient(TimeSpan.Zero));
        var agent = new SupportAgent(llm, runtime);

        foreach (string question in s_questions)
        {
            ChatResponse answer = await agent.AnswerAsync(Model, Ask(question), Options, "user-001", CancellationToken.None);
            Assert.Contains(question, answer.Text);
            Assert.Contains("open Settings", answer.Text);
        }

        Assert.Equal(mode == LlmCacheMode.Record ? s_questions.Length : 0, llm.Calls);
    }

    [Fact]
    public async Task TheUserId_DoesNotChangeTheAnswer()
    {
        using LlmCacheRuntime runtime = Runtime(Mode);
        var llm = new CountingChatClient(new SimulatedChatClient(TimeSpan.Zero));
        var agent = new SupportAgent(llm, runtime);

        ChatResponse first = await agent.AnswerAsync(Model, Ask(s_questions[0]), Options, "user-001", CancellationToken.None);
        ChatResponse second = await agent.AnswerAsync(Model, Ask(s_questions[0]), Options, "user-742", CancellationToken.None);

        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task AChangedSystemPrompt_FailsWithAReadableReason_InsteadOfCallingTheModel()
    {
        // Always a replay, even while recording: this request is never recorded.
        using LlmCacheRuntime runtime = Runtime(LlmCacheMode.Replay);
        var llm = new CountingChatClient(new SimulatedChatClient(TimeSpan.Zero));
        var agent = new SupportAgent(llm, runtime);
        string edited = SupportAgent.SystemPrompt.Replace("three sentences", "two sentences", StringComparison.Ordinal);

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AnswerAsync(Model, Ask(s_questions[0], edited), Options, "user-001", CancellationToken.None));

        Assert.Equal("ChatDemo.SupportAgent.AnswerAsync", miss.Method);
        Assert.Equal(["messages[0].contents[0].text differs"], miss.Differences);
        Assert.Equal(["model", "options"], miss.EqualParameters);
        Assert.Equal(0, llm.Calls);
    }
}
