using LlmCache.Tests.Middleware;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Replay;

/// <summary>The middleware in Replay: served from the recording, or a miss; the inner client or generator is never reached.</summary>
public sealed class ReplayMiddlewareTests : SnapshotFolderTest
{
    private static ChatMessage[] Ask(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task ChatClient_Replay_ServesResponsesAndStreams_WithoutCallingTheInnerClient()
    {
        string folder = NewFolder();
        using (LlmCacheRuntime record = Runtime(folder, LlmCacheMode.Record))
        {
            IChatClient recording = new ChatClientBuilder(new ScriptedChatClient()).UseLlmCache(record).Build();
            await recording.GetResponseAsync(Ask("hello"), new ChatOptions { Temperature = 0 });
            await foreach (ChatResponseUpdate _ in recording.GetStreamingResponseAsync(Ask("stream me")))
            {
            }
        }

        using LlmCacheRuntime replay = Runtime(folder, LlmCacheMode.Replay);
        var inner = new ScriptedChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(replay).Build();

        ChatResponse response = await client.GetResponseAsync(Ask("hello"), new ChatOptions { Temperature = 0 });
        Assert.Equal("v1: answer to hello", response.Text);
        Assert.Equal(true, response.AdditionalProperties![LlmCacheChatClient.HitProperty]);
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Ask("stream me")))
        {
            updates.Add(update);
        }
        Assert.Equal("streamed answer to stream me", string.Concat(updates.Select(u => u.Text)));

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            client.GetResponseAsync(Ask("hello"), new ChatOptions { Temperature = 0.5f }));
        Assert.Equal("LlmCache.ChatClient.GetResponseAsync", miss.Method);
        Assert.Equal(["options.temperature differs"], miss.Differences);
        Assert.Equal(["client", "messages"], miss.EqualParameters);
        await Assert.ThrowsAsync<LlmCacheMissException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(Ask("stream me too")))
            {
            }
        });
        // A conversation the provider keeps would pass through to the model: in Replay it throws.
        LlmCacheMissException conversation = await Assert.ThrowsAsync<LlmCacheMissException>(() =>
            client.GetResponseAsync(Ask("hello"), new ChatOptions { ConversationId = "c1" }));
        Assert.Contains("ConversationId", conversation.Reason);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task ChatClient_Replay_AnotherModel_IsAMissOfTheClientPart()
    {
        string folder = NewFolder();
        using (LlmCacheRuntime record = Runtime(folder, LlmCacheMode.Record))
        {
            IChatClient recording = new ChatClientBuilder(new CountingChatClient(model: "model-a")).UseLlmCache(record).Build();
            await recording.GetResponseAsync(Ask("hello"));
        }
        using LlmCacheRuntime replay = Runtime(folder, LlmCacheMode.Replay);
        var inner = new CountingChatClient(model: "model-b");
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(replay).Build();

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => client.GetResponseAsync(Ask("hello")));

        // The model is part of the method id of middleware entries: the recording is under another prefix.
        Assert.Contains("recorded only under other key prefixes", miss.Message);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task EmbeddingGenerator_Replay_ServesRecordedInputs_AndAnyMissingInputThrows()
    {
        string folder = NewFolder();
        using (LlmCacheRuntime record = Runtime(folder, LlmCacheMode.Record))
        {
            var recordingInner = CountingEmbeddingGenerator.OfText();
            IEmbeddingGenerator<string, Embedding<float>> recording =
                new EmbeddingGeneratorBuilder<string, Embedding<float>>(recordingInner).UseLlmCache(record).Build();
            await recording.GenerateAsync(["alpha", "beta"]);
            Assert.Equal(1, recordingInner.Calls);
        }

        using LlmCacheRuntime replay = Runtime(folder, LlmCacheMode.Replay);
        var inner = CountingEmbeddingGenerator.OfText();
        IEmbeddingGenerator<string, Embedding<float>> generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner).UseLlmCache(replay).Build();

        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(["beta", "alpha"]);
        Assert.Equal(["beta", "alpha"], embeddings.Select(e => e.AdditionalProperties!["input"]!.ToString()));

        LlmCacheMissException miss = await Assert.ThrowsAsync<LlmCacheMissException>(() => generator.GenerateAsync(["alpha", "gamma"]));
        Assert.Equal("LlmCache.EmbeddingGenerator.GenerateAsync", miss.Method);
        Assert.Equal(["input differs"], miss.Differences);
        Assert.Equal(["generator", "options"], miss.EqualParameters);
        Assert.Equal(0, inner.Calls);
    }
}
