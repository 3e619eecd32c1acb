using System.ClientModel;
using System.ClientModel.Primitives;
using LlmCache.Testing;
using OpenAI;
using OpenAI.Chat;

namespace LlmCache.Sdk.Tests;

/// <summary><c>[assembly: LlmCacheCalls(typeof(ChatClient), "CompleteChatAsync")]</c>: the official OpenAI SDK, cached at its call sites.</summary>
public sealed class OpenAiCallsTests
{
    private static ChatClient Client(FakeProviderServer server, string model = "gpt-4o-mini") =>
        new(model, new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = server.Endpoint });

    private static string Json<T>(T model) where T : IPersistableModel<T> => ModelReaderWriter.Write(model).ToString();

    [Fact]
    public async Task ARepeatedCompletion_MakesNoSecondHttpRequest_AndReturnsAnEqualResult()
    {
        await using var server = new FakeProviderServer();
        ChatClient client = Client(server);
        string question = "openai " + Guid.NewGuid();

        ClientResult<ChatCompletion> first = await client.CompleteChatAsync([new UserChatMessage(question)]);
        ClientResult<ChatCompletion> second = await client.CompleteChatAsync([new UserChatMessage(question)]);

        Assert.Equal(1, server.Requests);
        Assert.Equal("echo 1: " + question, second.Value.Content[0].Text);
        Assert.Equal("chatcmpl-fake-1", second.Value.Id);
        Assert.Equal("call_1", second.Value.ToolCalls[0].Id);
        Assert.Equal(ChatFinishReason.ToolCalls, second.Value.FinishReason);
        Assert.Equal(20, second.Value.Usage.TotalTokenCount);
        Assert.Equal(Json(first.Value), Json(second.Value));
        // The hit's raw response is a 200 carrying the stored body.
        Assert.Equal(200, second.GetRawResponse().Status);
        Assert.Equal(Json(first.Value), second.GetRawResponse().Content.ToString());
    }

    [Fact]
    public async Task TheParamsOverload_IsCachedToo()
    {
        await using var server = new FakeProviderServer();
        ChatClient client = Client(server);
        string question = "params " + Guid.NewGuid();

        await client.CompleteChatAsync(new UserChatMessage(question));
        ClientResult<ChatCompletion> again = await client.CompleteChatAsync(new UserChatMessage(question));

        Assert.Equal(1, server.Requests);
        Assert.Equal("echo 1: " + question, again.Value.Content[0].Text);
    }

    [Fact]
    public async Task ADifferentMessage_Option_Model_OrEndpoint_ReachesTheProvider()
    {
        await using var server = new FakeProviderServer();
        await using var otherServer = new FakeProviderServer();
        string question = "openai " + Guid.NewGuid();
        ChatMessage[] ask = [new SystemChatMessage("be brief"), new UserChatMessage(question)];

        await Client(server).CompleteChatAsync(ask);
        await Client(server).CompleteChatAsync([new SystemChatMessage("be verbose"), new UserChatMessage(question)]);
        await Client(server).CompleteChatAsync(ask, new ChatCompletionOptions { Temperature = 0.5f });
        await Client(server).CompleteChatAsync(ask, new ChatCompletionOptions { Temperature = 0.9f });
        await Client(server, model: "gpt-4o").CompleteChatAsync(ask);
        Assert.Equal(5, server.Requests);

        // The same request to another endpoint is another provider's answer.
        await Client(otherServer).CompleteChatAsync(ask);
        Assert.Equal(1, otherServer.Requests);

        // And every one of them is now cached.
        await Client(server).CompleteChatAsync(ask, new ChatCompletionOptions { Temperature = 0.5f });
        await Client(server, model: "gpt-4o").CompleteChatAsync(ask);
        Assert.Equal(5, server.Requests);
    }

    [Fact]
    public async Task ToolsInTheOptions_EnterTheKey()
    {
        await using var server = new FakeProviderServer();
        string question = "tools " + Guid.NewGuid();
        ChatTool weather = ChatTool.CreateFunctionTool("weather", "Weather in a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        ChatTool time = ChatTool.CreateFunctionTool("time", "Time in a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));

        await Client(server).CompleteChatAsync([new UserChatMessage(question)], new ChatCompletionOptions { Tools = { weather } });
        await Client(server).CompleteChatAsync([new UserChatMessage(question)], new ChatCompletionOptions { Tools = { time } });
        await Client(server).CompleteChatAsync([new UserChatMessage(question)], new ChatCompletionOptions { Tools = { weather } });

        Assert.Equal(2, server.Requests);
    }
}
