using System.ClientModel;
using System.ClientModel.Primitives;
using LlmCache.Tests.Correctness;
using OpenAI.Chat;
using OpenAI.Embeddings;
using LlmCache.Testing;

namespace LlmCache.Tests.Sdk;

/// <summary>
/// Results of the official OpenAI SDK (System.ClientModel models and <see cref="ClientResult{T}"/>) are
/// cached and replayed intact: the fake endpoint counts the requests that really went out.
/// </summary>
public sealed class SdkResultTests : IAsyncLifetime
{
    private readonly FakeProviderServer _server = new();
    private readonly List<LlmCacheRuntime> _runtimes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (LlmCacheRuntime runtime in _runtimes)
        {
            await runtime.DisposeAsync();
        }
        await _server.DisposeAsync();
    }

    private OpenAiService Service(DictionaryTier? tier = null, System.Text.Json.JsonSerializerOptions? serializerOptions = null)
    {
        var options = new LlmCacheOptions();
        if (tier is not null)
        {
            options.Tiers.Add(tier);
        }
        if (serializerOptions is not null)
        {
            options.SerializerOptions = serializerOptions;
        }
        var runtime = new LlmCacheRuntime(options);
        _runtimes.Add(runtime);
        return new OpenAiService(runtime, _server);
    }

    private static string Json<T>(T model) where T : IPersistableModel<T> => ModelReaderWriter.Write(model).ToString();

    private static string Vectors(OpenAIEmbeddingCollection embeddings) =>
        string.Join(" | ", embeddings.Select(e => e.Index + ":" + string.Join(",", e.ToFloats().ToArray())));

    [Fact]
    public async Task ChatCompletion_ARepeatedCall_MakesNoRequest_AndReplaysTheCompletionIntact()
    {
        OpenAiService service = Service();

        ChatCompletion miss = await service.CompleteAsync("hello");
        Assert.Equal(1, _server.ChatRequests);
        ChatCompletion hit = await service.CompleteAsync("hello");
        Assert.Equal(1, _server.ChatRequests);

        Assert.NotSame(miss, hit);
        Assert.Equal(Json(miss), Json(hit));
        Assert.Equal("chatcmpl-fake-1", hit.Id);
        Assert.Equal("echo 1: hello", Assert.Single(hit.Content).Text);
        ChatToolCall call = Assert.Single(hit.ToolCalls);
        Assert.Equal(("call_1", "get_weather", """{"city":"Paris","unit":"celsius"}"""), (call.Id, call.FunctionName, call.FunctionArguments.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, hit.FinishReason);
        Assert.Equal((12, 8, 20, 3), (hit.Usage.InputTokenCount, hit.Usage.OutputTokenCount, hit.Usage.TotalTokenCount, hit.Usage.OutputTokenDetails.ReasoningTokenCount));

        ChatCompletion other = await service.CompleteAsync("goodbye");
        Assert.Equal(2, _server.ChatRequests);
        Assert.Equal("echo 2: goodbye", other.Content[0].Text);
        Assert.Equal(2, service.Calls);
    }

    [Fact]
    public async Task ClientResultOfChatCompletion_AHit_CarriesTheStoredValue_InA200Response()
    {
        OpenAiService service = Service();

        ClientResult<ChatCompletion> miss = await service.CompleteWithResponseAsync("hello");
        Assert.Equal(200, miss.GetRawResponse().Status);
        Assert.Equal(_server.LastChatBody, miss.GetRawResponse().Content.ToString());

        ClientResult<ChatCompletion> hit = await service.CompleteWithResponseAsync("hello");
        Assert.Equal(1, _server.ChatRequests);
        Assert.NotSame(miss.Value, hit.Value);
        Assert.Equal(Json(miss.Value), Json(hit.Value));

        PipelineResponse response = hit.GetRawResponse();
        Assert.Equal(200, response.Status);
        Assert.False(response.IsError);
        Assert.Equal(Json(miss.Value), response.Content.ToString());
        Assert.True(response.Headers.TryGetValue("content-type", out string? type));
        Assert.Equal("application/json", type);
        using (var reader = new StreamReader(response.ContentStream!))
        {
            Assert.Equal(Json(miss.Value), await reader.ReadToEndAsync());
        }
        // The body is what the SDK would parse: it reads back as the same completion.
        Assert.Equal(Json(miss.Value), Json(ModelReaderWriter.Read<ChatCompletion>(response.Content)!));
    }

    [Fact]
    public async Task Embeddings_ARepeatedCall_MakesNoRequest_AndReplaysTheVectors()
    {
        OpenAiService service = Service();

        OpenAIEmbeddingCollection miss = await service.EmbedAsync(["alpha", "beta"]);
        OpenAIEmbeddingCollection hit = await service.EmbedAsync(["alpha", "beta"]);
        Assert.Equal(1, _server.EmbeddingRequests);

        Assert.NotSame(miss, hit);
        Assert.Equal(Json(miss), Json(hit));
        Assert.Equal(Vectors(miss), Vectors(hit));
        Assert.Equal(FakeProviderServer.VectorFor("beta"), hit[1].ToFloats().ToArray());
        Assert.Equal(("embedding-test", 6), (hit.Model, hit.Usage.TotalTokenCount));

        await service.EmbedAsync(["alpha"]);
        Assert.Equal(2, _server.EmbeddingRequests);
    }

    [Fact]
    public async Task ClientResultOfEmbeddings_AHit_CarriesTheStoredValue_InA200Response()
    {
        OpenAiService service = Service();

        ClientResult<OpenAIEmbeddingCollection> miss = await service.EmbedWithResponseAsync(["alpha", "beta"]);
        ClientResult<OpenAIEmbeddingCollection> hit = await service.EmbedWithResponseAsync(["alpha", "beta"]);
        Assert.Equal(1, _server.EmbeddingRequests);

        Assert.Equal(Json(miss.Value), Json(hit.Value));
        Assert.Equal(Vectors(miss.Value), Vectors(hit.Value));
        Assert.Equal(200, hit.GetRawResponse().Status);
        Assert.Equal(Json(miss.Value), hit.GetRawResponse().Content.ToString());
    }

    [Fact]
    public async Task ASecondRuntimeSharingATier_ReadsEqualModels_WithoutARequest()
    {
        var tier = new DictionaryTier();
        OpenAiService writer = Service(tier);
        ChatCompletion completion = await writer.CompleteAsync("hello");
        ClientResult<ChatCompletion> result = await writer.CompleteWithResponseAsync("hello");
        OpenAIEmbeddingCollection embeddings = await writer.EmbedAsync(["alpha", "beta"]);
        ClientResult<OpenAIEmbeddingCollection> embeddingResult = await writer.EmbedWithResponseAsync(["gamma"]);
        Answer answer = await writer.AnswerAsync("record");
        await writer.Cache.FlushAsync();
        Assert.Equal(5, tier.Count);
        int requests = _server.Requests;

        // Another process: nothing in its memory, so every answer comes through the tier's bytes.
        OpenAiService reader = Service(tier);
        Assert.Equal(Json(completion), Json(await reader.CompleteAsync("hello")));
        ClientResult<ChatCompletion> readResult = await reader.CompleteWithResponseAsync("hello");
        Assert.Equal(Json(result.Value), Json(readResult.Value));
        Assert.Equal((200, Json(result.Value)), (readResult.GetRawResponse().Status, readResult.GetRawResponse().Content.ToString()));
        OpenAIEmbeddingCollection readEmbeddings = await reader.EmbedAsync(["alpha", "beta"]);
        Assert.Equal((Json(embeddings), Vectors(embeddings)), (Json(readEmbeddings), Vectors(readEmbeddings)));
        ClientResult<OpenAIEmbeddingCollection> readEmbeddingResult = await reader.EmbedWithResponseAsync(["gamma"]);
        Assert.Equal(Json(embeddingResult.Value), Json(readEmbeddingResult.Value));
        Assert.Equal(200, readEmbeddingResult.GetRawResponse().Status);
        Answer readAnswer = await reader.AnswerAsync("record");
        Assert.Equal(answer.Prompt, readAnswer.Prompt);
        Assert.Equal(Json(answer.Completion), Json(readAnswer.Completion));
        Assert.Equal(Json(answer.Completion), Json(Assert.Single(readAnswer.History)));

        Assert.Equal(requests, _server.Requests);
        Assert.Equal(0, reader.Calls);
    }

    [Fact]
    public async Task SerializerOptionsThatKnowNoModel_StillCacheThem_ThroughATier()
    {
        // As a source-generated context that lists none of the SDK's types: the runtime's own converters answer.
        var narrow = new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine() };
        var tier = new DictionaryTier();
        OpenAiService writer = Service(tier, narrow);
        ChatCompletion completion = await writer.CompleteAsync("hello");
        ClientResult<OpenAIEmbeddingCollection> embeddings = await writer.EmbedWithResponseAsync(["alpha"]);
        await writer.Cache.FlushAsync();

        OpenAiService reader = Service(tier, narrow);
        Assert.Equal(Json(completion), Json(await reader.CompleteAsync("hello")));
        Assert.Equal(Json(embeddings.Value), Json((await reader.EmbedWithResponseAsync(["alpha"])).Value));
        Assert.Equal((1, 1), (_server.ChatRequests, _server.EmbeddingRequests));
    }

    [Fact]
    public async Task MutatingAReturnedCompletion_DoesNotReachTheCache()
    {
        OpenAiService service = Service();

        ChatCompletion miss = await service.CompleteAsync("hello");
        string original = Json(miss);
        miss.Content.Clear();
        miss.Content.Add(ChatMessageContentPart.CreateTextPart("tampered by the first caller"));

        ChatCompletion hit = await service.CompleteAsync("hello");
        Assert.Equal(original, Json(hit));
        hit.Content.Add(ChatMessageContentPart.CreateTextPart("tampered by the second caller"));
        Assert.Equal(original, Json(await service.CompleteAsync("hello")));

        ClientResult<ChatCompletion> result = await service.CompleteWithResponseAsync("hello");
        string originalResult = Json(result.Value);
        result.Value.Content.Clear();
        ClientResult<ChatCompletion> again = await service.CompleteWithResponseAsync("hello");
        Assert.Equal(originalResult, Json(again.Value));
        Assert.Equal(originalResult, again.GetRawResponse().Content.ToString());

        Assert.Equal(2, _server.ChatRequests);
    }

    [Fact]
    public async Task ADerivedMessageHeldAsItsBase_ComesBackAsItself()
    {
        OpenAiService service = Service();

        ChatMessage miss = await service.ReplyAsync("hello");
        ChatMessage hit = await service.ReplyAsync("hello");

        Assert.Equal(1, _server.ChatRequests);
        AssistantChatMessage assistant = Assert.IsType<AssistantChatMessage>(hit);
        Assert.Equal(Json(miss), Json(hit));
        Assert.Equal("get_weather", Assert.Single(assistant.ToolCalls).FunctionName);
    }

    [Fact]
    public async Task AModelSubclassItsReaderCannotMake_RunsUncached_AndKeepsItsMembers()
    {
        OpenAiService service = Service();

        Assert.Equal("because", Assert.IsType<DetailedVerdict>(await service.JudgeAsync("p", detailed: true)).Detail);
        Assert.Equal("because", Assert.IsType<DetailedVerdict>(await service.JudgeAsync("p", detailed: true)).Detail);
        Assert.Equal(2, service.Calls);

        // The model's own instances are cached as usual.
        Verdict plain = await service.JudgeAsync("p", detailed: false);
        Verdict again = await service.JudgeAsync("p", detailed: false);
        Assert.Equal(3, service.Calls);
        Assert.IsType<Verdict>(again);
        Assert.NotSame(plain, again);
        Assert.Equal("p", again.Text);
    }
}
