using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache.Tests.Replay;

/// <summary>Record once, replay without calling anything: the three modes over a snapshot tier.</summary>
public sealed class ReplayTests : SnapshotFolderTest
{
    private static readonly ChatOptions s_options = new() { ModelId = "m1", Temperature = 0.2f };

    private static async Task Record(string folder, Func<ReplayAgent, Task> calls, IChatClient? llm = null, bool arguments = false)
    {
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Record, arguments);
        await calls(new ReplayAgent(runtime, llm ?? new ScriptedChatClient()));
    }

    [Fact]
    public async Task Replay_HitFromTheSnapshotTier_NeverCallsTheMethod()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Where is my invoice?"), s_options, default));

        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var llm = new ScriptedChatClient();
        var agent = new ReplayAgent(runtime, llm);
        using CacheProbe probe = LlmCacheScope.Observe();
        ChatResponse first = await agent.AskAsync("m1", Conversation("Where is my invoice?"), s_options, default);
        ChatResponse second = await agent.AskAsync("m1", Conversation("Where is my invoice?"), s_options, default);

        Assert.Equal("v1: answer to Where is my invoice?", first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(19, first.Usage!.TotalTokenCount);
        Assert.Equal(0, agent.Calls);
        Assert.Equal(0, llm.Calls);
        Assert.Equal(2, probe.Hits);
        Assert.Equal(CacheSource.Distributed, probe.Outcomes[0].Source);
        Assert.Equal(CacheSource.Memory, probe.Outcomes[1].Source);
    }

    [Fact]
    public async Task Replay_ValueTaskAndImmutableResults_AreServed_AndAMissThrows()
    {
        string folder = NewFolder();
        await Record(folder, async agent =>
        {
            await agent.SummarizeAsync("a long text");
            await agent.CountWordsAsync("three little words");
        });

        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        Assert.Equal("summary of a long text", await agent.SummarizeAsync("a long text"));
        Assert.Equal(3, await agent.CountWordsAsync("three little words"));
        Assert.Equal(3, await agent.CountWordsAsync("three little words")); // the immutable fast path, from memory
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.CountWordsAsync("four little words here"));
        Assert.EndsWith("ReplayAgent.CountWordsAsync", miss.Method);
        Assert.Equal(["text differs"], miss.Differences);
        await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.SummarizeAsync("another text").AsTask());
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task ReplayMiss_ChangedMessage_NamesTheMessageAndTheEqualParameters()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Where is my invoice?", "Under Billing.", "Thanks!"), s_options, default));

        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Where is my invoice?", "Under Settings > Billing.", "Thanks!"), s_options, default));

        Assert.Equal(["messages[2].contents[0].text differs"], miss.Differences);
        Assert.Equal(["model", "options"], miss.EqualParameters);
        Assert.Contains("ReplayAgent.AskAsync", miss.Message);
        Assert.Contains("messages[2].contents[0].text differs; model, options equal", miss.Message);
        Assert.Contains("LLMCACHE_MODE=record", miss.Message);
        Assert.NotNull(miss.ClosestRecording);
        Assert.True(File.Exists(miss.ClosestRecording));
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task ReplayMiss_AddedMessageOrRole_IsNamed()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Hi"), s_options, default));
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        LlmCacheMissException added = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Hi", "Hello, how can I help?"), s_options, default));
        Assert.Equal(["messages[2] is new (the recording has none)"], added.Differences);

        IList<ChatMessage> asSystem = Conversation("Hi");
        asSystem[1].Role = ChatRole.System;
        LlmCacheMissException role = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.AskAsync("m1", asSystem, s_options, default));
        Assert.Equal(["messages[1].role differs"], role.Differences);
        Assert.Equal(["model", "options"], role.EqualParameters);
    }

    [Fact]
    public async Task ReplayMiss_ChangedOption_NamesTheOption()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Hi"), s_options, default));
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        LlmCacheMissException hotter = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Hi"), new ChatOptions { ModelId = "m1", Temperature = 0.9f }, default));
        Assert.Equal(["options.temperature differs"], hotter.Differences);
        Assert.Equal(["model", "messages"], hotter.EqualParameters);
        Assert.Contains("options.temperature differs; model, messages equal", hotter.Message);

        LlmCacheMissException seeded = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Hi"), new ChatOptions { ModelId = "m1", Temperature = 0.2f, Seed = 7 }, default));
        Assert.Equal(["options.seed is new (the recording has none)"], seeded.Differences);

        LlmCacheMissException model = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m2", Conversation("Hi"), s_options, default));
        Assert.Equal(["model differs"], model.Differences);
        Assert.Equal(["messages", "options"], model.EqualParameters);
    }

    [Fact]
    public async Task ReplayMiss_ChangedTool_NamesTheToolAndItsPart()
    {
        AITool weather = AIFunctionFactory.Create((string city) => "sunny", "weather", "The weather in a city.");
        AITool time = AIFunctionFactory.Create((string city) => "noon", "time", "The time in a city.");
        AITool timeReworded = AIFunctionFactory.Create((string city) => "noon", "time", "The local time in a city.");
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Hi"), new ChatOptions { Tools = [weather, time] }, default));
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Hi"), new ChatOptions { Tools = [weather, timeReworded] }, default));

        Assert.Equal(["options.tools[1].description differs"], miss.Differences);
        Assert.Equal(["model", "messages"], miss.EqualParameters);

        LlmCacheMissException dropped = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("Hi"), new ChatOptions { Tools = [weather] }, default));
        Assert.Equal(["options.tools[1] is gone (the recording has one)"], dropped.Differences);
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task ReplayMiss_ComparesWithTheClosestRecording()
    {
        string folder = NewFolder();
        await Record(folder, async agent =>
        {
            await agent.AskAsync("m1", Conversation("How do I reset my password?"), s_options, default);
            await agent.AskAsync("m2", Conversation("Where is my invoice?"), new ChatOptions { ModelId = "m2" }, default);
        });
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        // Only the question changed from the first recording; everything changed from the second.
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            agent.AskAsync("m1", Conversation("How do I reset my username?"), s_options, default));

        Assert.Equal(["messages[1].contents[0].text differs"], miss.Differences);
        Assert.Equal(["model", "options"], miss.EqualParameters);
    }

    [Fact]
    public async Task ReplayMiss_WithoutAnyRecording_SaysSo()
    {
        string folder = NewFolder();
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.AskAsync("m1", Conversation("Hi"), s_options, default));

        Assert.Contains("holds no recording of", miss.Message);
        Assert.Null(miss.ClosestRecording);
        Assert.NotNull(miss.Key);
        Assert.Null(miss.Reason);
    }

    [Fact]
    public async Task Replay_CallsThatWouldRunUncached_ThrowWithTheReason()
    {
        string folder = NewFolder();
        await Record(folder, async agent => await agent.ControlledAsync("p", null));
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        // Controls that skip or age-limit the read do not matter: the recording answers.
        Assert.Equal("controlled p", await agent.ControlledAsync("p", new CacheControl { NoCache = true, MaxAge = TimeSpan.Zero }));

        LlmCacheMissException bypass = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.ControlledAsync("p", new CacheControl { Bypass = true }));
        Assert.Contains("Bypass", bypass.Reason);
        Assert.Null(bypass.Key);

        runtime.Enabled = false;
        LlmCacheMissException disabled = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.ControlledAsync("p", null));
        Assert.Contains("disabled", disabled.Reason);

        runtime.Enabled = true;
        runtime.Reconfigure(o => o.DisabledMethods = [typeof(ReplayAgent).FullName!]);
        LlmCacheMissException off = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.ControlledAsync("p", null));
        Assert.Contains("switched off", off.Reason);
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task Replay_ServesHitsFromAnyTier_AndExplainsAMissWithoutASnapshotTier()
    {
        var shared = new Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache(
            Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Mode = LlmCacheMode.ReadWrite, Tiers = { shared } });
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        string first = await agent.SummarizeAsync("kept in a tier");
        await runtime.FlushAsync();

        // A reconfiguration empties the in-process level: the hit below comes from the tier.
        runtime.Reconfigure(o => o.Mode = LlmCacheMode.Replay);
        using CacheProbe probe = LlmCacheScope.Observe();

        Assert.Equal(first, await agent.SummarizeAsync("kept in a tier"));
        Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
        Assert.Equal(first, await agent.SummarizeAsync("kept in a tier"));
        Assert.Equal(CacheSource.Memory, probe.Last!.Value.Source);
        Assert.Equal(1, agent.Calls);
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.SummarizeAsync("never seen").AsTask());
        Assert.Contains("No snapshot tier is configured", miss.Message);
        Assert.Equal(1, agent.Calls);
    }

    [Fact]
    public async Task DependencyInjection_CarriesTheModeAndTheSnapshotTier()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.SummarizeAsync("registered").AsTask());
        var services = new ServiceCollection();
        services.AddLlmCache(o => o.Mode = LlmCacheMode.Replay).AddSnapshotTier(o => o.Directory = folder, readOnly: true);
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        Assert.Equal(LlmCacheMode.Replay, runtime.Options.Mode);
        Assert.Equal("summary of registered", await agent.SummarizeAsync("registered"));
        await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.SummarizeAsync("not registered").AsTask());
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task Record_CallsTheMethodEveryTime_AndReplacesTheRecording()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.AskAsync("m1", Conversation("Hi"), s_options, default), new ScriptedChatClient(version: "v1"));
        string file = Assert.Single(SnapshotFiles(folder));
        Assert.Contains("v1: answer to Hi", File.ReadAllText(file));

        using (LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Record))
        {
            var agent = new ReplayAgent(runtime, new ScriptedChatClient(version: "v2"));
            await agent.AskAsync("m1", Conversation("Hi"), s_options, default);
            await agent.AskAsync("m1", Conversation("Hi"), s_options, default);
            // Record never reads: not even the answer it has just stored in memory.
            Assert.Equal(2, agent.Calls);
        }

        Assert.Equal(file, Assert.Single(SnapshotFiles(folder)));
        string recorded = File.ReadAllText(file);
        Assert.DoesNotContain("v1: answer", recorded);
        Assert.Contains("v2: answer to Hi", recorded);
        using LlmCacheRuntime replay = Runtime(folder, LlmCacheMode.Replay);
        Assert.Equal("v2: answer to Hi", (await new ReplayAgent(replay, new ScriptedChatClient()).AskAsync("m1", Conversation("Hi"), s_options, default)).Text);
    }

    [Fact]
    public async Task Record_ReplacesAnEntryInEveryTier_NotOnlyTheSnapshot()
    {
        var shared = new Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache(
            Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
        LlmCacheRuntime Using(LlmCacheMode mode) => new(new LlmCacheOptions { Mode = mode, Tiers = { shared } });

        using (LlmCacheRuntime first = Using(LlmCacheMode.ReadWrite))
        {
            await new ReplayAgent(first, new ScriptedChatClient(version: "v1")).AskAsync("m1", Conversation("Hi"), s_options, default);
        }
        using (LlmCacheRuntime record = Using(LlmCacheMode.Record))
        {
            await new ReplayAgent(record, new ScriptedChatClient(version: "v2")).AskAsync("m1", Conversation("Hi"), s_options, default);
        }
        using LlmCacheRuntime replay = Using(LlmCacheMode.Replay);
        var agent = new ReplayAgent(replay, new ScriptedChatClient());

        Assert.Equal("v2: answer to Hi", (await agent.AskAsync("m1", Conversation("Hi"), s_options, default)).Text);
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task Record_SeveralAnswersToOneRequest_AreReplayedInOrder()
    {
        string folder = NewFolder();
        await Record(folder, async agent =>
        {
            for (int i = 0; i < 3; i++)
            {
                await agent.AskAsync("m1", Conversation("Tell me a joke"), new ChatOptions { Temperature = 1f }, default);
            }
        }, new ScriptedChatClient(numberCalls: true));

        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        var answers = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            answers.Add((await agent.AskAsync("m1", Conversation("Tell me a joke"), new ChatOptions { Temperature = 1f }, default)).Text);
        }

        Assert.Equal(["#1", "#2", "#3", "#1"], answers.Select(a => a[a.LastIndexOf('#')..]));
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task Record_TheSameAnswerTwice_KeepsOneSample()
    {
        string folder = NewFolder();
        await Record(folder, async agent =>
        {
            await agent.SummarizeAsync("twice");
            await agent.SummarizeAsync("twice");
        });

        string text = File.ReadAllText(Assert.Single(SnapshotFiles(folder)));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "summary of twice"));
    }

    [Fact]
    public async Task Replay_Stream_ReplaysTheRecordedItems_AndAMissThrows()
    {
        string folder = NewFolder();
        await Record(folder, async agent =>
        {
            await foreach (string _ in agent.StreamAsync("story", 3))
            {
            }
        });

        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        var items = new List<string>();
        await foreach (string item in agent.StreamAsync("story", 3))
        {
            items.Add(item);
        }

        Assert.Equal(["story-0", "story-1", "story-2"], items);
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(async () =>
        {
            await foreach (string _ in agent.StreamAsync("story", 4))
            {
            }
        });
        Assert.Equal(["parts differs"], miss.Differences);
        Assert.Equal(["prompt"], miss.EqualParameters);
        Assert.Equal(0, agent.Calls);
    }

    [Fact]
    public async Task ReplayMiss_NonAIObjectParameter_IsNamedAtTheTop()
    {
        string folder = NewFolder();
        await Record(folder, agent => agent.FileAsync(new ReplayTicket("Printer jam", 2, ["hardware"])), arguments: true);
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Replay);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());

        Assert.Equal("filed Printer jam", await agent.FileAsync(new ReplayTicket("Printer jam", 2, ["hardware"])));
        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.FileAsync(new ReplayTicket("Printer jam", 3, ["hardware"])));
        Assert.Equal(["ticket differs"], miss.Differences);
        Assert.Empty(miss.EqualParameters);
        // Its arguments are still readable in the file: the record's values in order.
        Assert.Contains("\"Printer jam\"", File.ReadAllText(Assert.Single(SnapshotFiles(folder))));
    }
}
