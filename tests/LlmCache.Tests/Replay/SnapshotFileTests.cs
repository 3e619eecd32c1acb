using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Replay;

/// <summary>The snapshot files: where they are, what they hold, and that recording again changes no byte.</summary>
public sealed class SnapshotFileTests : SnapshotFolderTest
{
    private static readonly AITool s_weather = AIFunctionFactory.Create((string city) => "sunny", "weather", "The weather in a city.");

    private static async Task RecordSession(string folder, bool arguments)
    {
        using LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.Record, arguments);
        var agent = new ReplayAgent(runtime, new ScriptedChatClient());
        await agent.AskAsync("m1", Conversation("Où est ma facture ? \"Urgent\""), new ChatOptions { ModelId = "m1", Temperature = 0.25f, Tools = [s_weather] }, default);
        await agent.AskAsync("m1", Conversation("Hi", "Hello!", "Bye"), null, default);
        await agent.SummarizeAsync("line one\r\nline two");
        await agent.FileAsync(new ReplayTicket("Printer jam", 2, ["hardware", "office"]));
        await foreach (string _ in agent.StreamAsync("story", 2))
        {
        }
        IChatClient client = new ChatClientBuilder(new ScriptedChatClient()).UseLlmCache(runtime).Build();
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "through the middleware")]);
    }

    [Fact]
    public async Task Recording_TheSameAnswersTwice_WritesTheSameBytes()
    {
        string first = NewFolder();
        string second = NewFolder();
        await RecordSession(first, arguments: true);
        await RecordSession(second, arguments: true);
        // A third recording into the first folder replaces every file with the same bytes.
        byte[][] before = [.. SnapshotFiles(first).Select(File.ReadAllBytes)];
        await RecordSession(first, arguments: true);

        string[] files = SnapshotFiles(first);
        Assert.Equal(6, files.Length);
        Assert.Equal(files.Select(f => Path.GetRelativePath(first, f)), SnapshotFiles(second).Select(f => Path.GetRelativePath(second, f)));
        for (int i = 0; i < files.Length; i++)
        {
            byte[] bytes = File.ReadAllBytes(files[i]);
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(second, Path.GetRelativePath(first, files[i]))));
            Assert.Equal(before[i], bytes);
            Assert.DoesNotContain((byte)'\r', bytes);
            Assert.Equal((byte)'\n', bytes[^1]);
        }
    }

    [Fact]
    public async Task AFile_IsNamedByMethodAndKeyHash_AndHoldsReadableJson()
    {
        string folder = NewFolder();
        await RecordSession(folder, arguments: true);

        string file = Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("Où est ma facture"));
        Assert.Equal(typeof(ReplayAgent).FullName + ".AskAsync", Path.GetFileName(Path.GetDirectoryName(file)));
        Assert.Matches("^[0-9a-f]{16}\\.json$", Path.GetFileName(file));
        string text = File.ReadAllText(file);
        // Indented, readable text (no escapes for quotes or accents), the answer as JSON rather than a blob.
        Assert.Contains("\n  \"method\": ", text);
        Assert.Contains("Où est ma facture ? \\\"Urgent\\\"", text);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement root = document.RootElement;
        Assert.Equal(["method", "key", "arguments", "samples", "digests"], root.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("llmcache:v1:" + typeof(ReplayAgent).FullName + ".AskAsync.", root.GetProperty("key").GetString());
        JsonElement answer = Assert.Single(root.GetProperty("samples").EnumerateArray());
        Assert.Equal("v1: answer to Où est ma facture ? \"Urgent\"", answer.GetProperty("messages")[0].GetProperty("contents")[0].GetProperty("text").GetString());

        JsonElement arguments = root.GetProperty("arguments");
        Assert.Equal(["messages", "model", "options"], arguments.EnumerateObject().Select(p => p.Name));
        Assert.Equal("m1", arguments.GetProperty("model").GetString());
        Assert.Equal("user", arguments.GetProperty("messages")[1].GetProperty("role").GetString());
        Assert.Equal(0.25, arguments.GetProperty("options").GetProperty("temperature").GetDouble());
        Assert.Equal("weather", arguments.GetProperty("options").GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("object", arguments.GetProperty("options").GetProperty("tools")[0].GetProperty("parameters").GetProperty("type").GetString());

        string[] digests = [.. root.GetProperty("digests").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(digests.Order(StringComparer.Ordinal), digests);
        Assert.Contains("messages[1].contents[0].text", digests);
        Assert.Contains("options.tools[0].description", digests);
        Assert.Contains("model", digests);
        Assert.All(root.GetProperty("digests").EnumerateObject(), d => Assert.Matches("^[0-9a-f]{16}$", d.Value.GetString()!));
    }

    [Fact]
    public async Task Arguments_AreLeftOut_UnlessAskedFor()
    {
        string folder = NewFolder();
        await RecordSession(folder, arguments: false);

        Assert.All(SnapshotFiles(folder), file =>
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotContain("\"arguments\"", text);
            Assert.Contains("\"digests\"", text);
        });
        Assert.DoesNotContain(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("careful support assistant"));
    }

    [Fact]
    public async Task ACorruptOrForgedFile_IsAMiss_ExplainedInReplay_AndAnsweredByTheMethodOtherwise()
    {
        string folder = NewFolder();
        await RecordSession(folder, arguments: false);
        string summary = Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("summary of line one"));
        string ask = Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("through the middleware") is false
            && File.ReadAllText(f).Contains("Bye"));
        string stream = Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("story-0"));
        string ticket = Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("filed Printer jam"));
        File.WriteAllText(summary, "{ \"key\": \"llmcache:v1:broken");
        // A valid file of another call copied over this one.
        File.Copy(Assert.Single(SnapshotFiles(folder), f => File.ReadAllText(f).Contains("Où est ma facture")), ask, overwrite: true);
        // An answer of the wrong shape.
        File.WriteAllText(stream, File.ReadAllText(stream).Replace("\"story-0\"", "{ \"not\": \"a string\" }"));
        File.WriteAllText(ticket, "{ \"key\": 42 }");

        using (LlmCacheRuntime replay = Runtime(folder, LlmCacheMode.Replay))
        {
            var agent = new ReplayAgent(replay, new ScriptedChatClient());
            LlmCacheMissException broken = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.SummarizeAsync("line one\r\nline two").AsTask());
            Assert.Contains("cannot be used: it is not valid JSON", broken.Message);
            LlmCacheMissException forged = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.AskAsync("m1", Conversation("Hi", "Hello!", "Bye"), null, default));
            Assert.Contains("not this call's", forged.Message);
            LlmCacheMissException shape = await Assert.ThrowsAsync<LlmCacheMissException>(async () =>
            {
                await foreach (string _ in agent.StreamAsync("story", 2))
                {
                }
            });
            Assert.Contains("cannot be read as", shape.Message);
            LlmCacheMissException notSnapshot = await Assert.ThrowsAsync<LlmCacheMissException>(() => agent.FileAsync(new ReplayTicket("Printer jam", 2, ["hardware", "office"])));
            Assert.Contains("not a snapshot", notSnapshot.Message);
            Assert.Equal(0, agent.Calls);
        }

        using LlmCacheRuntime readWrite = Runtime(folder, LlmCacheMode.ReadWrite);
        var answered = new ReplayAgent(readWrite, new ScriptedChatClient());
        Assert.Equal("summary of line one\r\nline two", await answered.SummarizeAsync("line one\r\nline two"));
        Assert.Equal("v1: answer to Bye", (await answered.AskAsync("m1", Conversation("Hi", "Hello!", "Bye"), null, default)).Text);
        Assert.Equal(2, answered.Calls);
        // The method's answers replaced the broken files: a replay finds them now.
        using LlmCacheRuntime again = Runtime(folder, LlmCacheMode.Replay);
        Assert.Equal("summary of line one\r\nline two", await new ReplayAgent(again, new ScriptedChatClient()).SummarizeAsync("line one\r\nline two"));
    }

    [Fact]
    public async Task ReadWrite_WithASnapshotTier_RecordsMissesAndServesRecordings()
    {
        string folder = NewFolder();
        using (LlmCacheRuntime first = Runtime(folder, LlmCacheMode.ReadWrite))
        {
            var agent = new ReplayAgent(first, new ScriptedChatClient());
            await agent.SummarizeAsync("once");
            Assert.Equal(1, agent.Calls);
        }
        Assert.Single(SnapshotFiles(folder));
        using LlmCacheRuntime second = Runtime(folder, LlmCacheMode.ReadWrite);
        var again = new ReplayAgent(second, new ScriptedChatClient());
        Assert.Equal("summary of once", await again.SummarizeAsync("once"));
        Assert.Equal(0, again.Calls);
    }

    [Fact]
    public async Task RemovingAKey_DeletesItsFile_AndAReadOnlyTierWritesNothing()
    {
        string folder = NewFolder();
        await RecordSession(folder, arguments: false);
        int count = SnapshotFiles(folder).Length;
        using (LlmCacheRuntime runtime = Runtime(folder, LlmCacheMode.ReadWrite))
        {
            var agent = new ReplayAgent(runtime, new ScriptedChatClient());
            await agent.SummarizeAsync("line one\r\nline two");
            Assert.Equal(0, agent.Calls);
            string key = Assert.Single(SnapshotFiles(folder).Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("key").GetString()!),
                k => k.Contains(".SummarizeAsync.", StringComparison.Ordinal));
            Assert.True(await runtime.RemoveAsync(key));
            Assert.Equal(count - 1, SnapshotFiles(folder).Length);
        }

        using var readOnly = new LlmCacheRuntime(new LlmCacheOptions
        {
            Mode = LlmCacheMode.Record,
            Tiers = { new ReadOnlyTier(new SnapshotTier(new SnapshotTierOptions { Directory = folder })) },
        });
        await new ReplayAgent(readOnly, new ScriptedChatClient()).SummarizeAsync("new text");
        Assert.Equal(count - 1, SnapshotFiles(folder).Length);
    }
}
