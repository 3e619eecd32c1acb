using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace LlmCache.Sdk.Tests;

/// <summary><c>[assembly: LlmCacheCalls(typeof(ChatClient), "CompleteChatAsync")]</c>: the official OpenAI SDK, cached at its call sites.</summary>
public sealed class OpenAiCallsTests
{
    private static ChatClient Client(FakeProvider server, string model = "gpt-4o-mini") =>
        new(model, new ApiKeyCredential("test-key"), new OpenAIClientOptions { Endpoint = new Uri(server.BaseUrl + "/v1") });

    private static string Json<T>(T model) where T : IPersistableModel<T> => ModelReaderWriter.Write(model).ToString();

    [Fact]
    public async Task ARepeatedCompletion_MakesNoSecondHttpRequest_AndReturnsAnEqualResult()
    {
        using var server = new FakeProvider();
        ChatClient client = Client(server);
        string question = "openai " + Guid.NewGuid();

        ClientResult<ChatCompletion> first = await client.CompleteChatAsync([new UserChatMessage(question)]);
        ClientResult<ChatCompletion> second = await client.CompleteChatAsync([new UserChatMessage(question)]);

        Assert.Equal(1, server.Requests);
        Assert.Equal(question + "#1", second.Value.Content[0].Text);
        Assert.Equal("chatcmpl-1", second.Value.Id);
        Assert.Equal("call_1", second.Value.ToolCalls[0].Id);
        Assert.Equal(ChatFinishReason.ToolCalls, second.Value.FinishReason);
        Assert.Equal(18, second.Value.Usage.TotalTokenCount);
        Assert.Equal(Json(first.Value), Json(second.Value));
        // The hit's raw response is a 200 carrying the stored body.
        Assert.Equal(200, second.GetRawResponse().Status);
        Assert.Equal(Json(first.Value), second.GetRawResponse().Content.ToString());
    }

    [Fact]
    public async Task TheParamsOverload_IsCachedToo()
    {
        using var server = new FakeProvider();
        ChatClient client = Client(server);
        string question = "params " + Guid.NewGuid();

        await client.CompleteChatAsync(new UserChatMessage(question));
        ClientResult<ChatCompletion> again = await client.CompleteChatAsync(new UserChatMessage(question));

        Assert.Equal(1, server.Requests);
        Assert.Equal(question + "#1", again.Value.Content[0].Text);
    }

    [Fact]
    public async Task ADifferentMessage_Option_Model_OrEndpoint_ReachesTheProvider()
    {
        using var server = new FakeProvider();
        using var otherServer = new FakeProvider();
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
        using var server = new FakeProvider();
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
