using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using LlmCache.Testing;

namespace LlmCache.Tests.Sdk;

/// <summary>Cached methods over the official OpenAI SDK, each call a real HTTP request to <see cref="FakeProviderServer"/>.</summary>
public sealed class OpenAiService
{
    private readonly LlmCacheRuntime _cache;

    // One model per service in these tests, so the clients need not enter the key.
    [NotKeyed] private readonly ChatClient _chat;
    [NotKeyed] private readonly EmbeddingClient _embeddings;

    public OpenAiService(LlmCacheRuntime cache, FakeProviderServer server)
    {
        _cache = cache;
        var options = new OpenAIClientOptions { Endpoint = server.Endpoint };
        _chat = new ChatClient("gpt-test", new ApiKeyCredential("test"), options);
        _embeddings = new EmbeddingClient("embedding-test", new ApiKeyCredential("test"), options);
    }

    public LlmCacheRuntime Cache => _cache;

    public int Calls;

    [LlmCached]
    public async Task<ChatCompletion> CompleteAsync(string prompt)
    {
        Interlocked.Increment(ref Calls);
        ClientResult<ChatCompletion> result = await _chat.CompleteChatAsync([new UserChatMessage(prompt)]);
        return result.Value;
    }

    [LlmCached]
    public Task<ClientResult<ChatCompletion>> CompleteWithResponseAsync(string prompt)
    {
        Interlocked.Increment(ref Calls);
        return _chat.CompleteChatAsync([new UserChatMessage(prompt)]);
    }

    [LlmCached]
    public async Task<OpenAIEmbeddingCollection> EmbedAsync(string[] inputs)
    {
        Interlocked.Increment(ref Calls);
        ClientResult<OpenAIEmbeddingCollection> result = await _embeddings.GenerateEmbeddingsAsync(inputs);
        return result.Value;
    }

    [LlmCached]
    public Task<ClientResult<OpenAIEmbeddingCollection>> EmbedWithResponseAsync(string[] inputs)
    {
        Interlocked.Increment(ref Calls);
        return _embeddings.GenerateEmbeddingsAsync(inputs);
    }

    /// <summary>An assistant message held as its base type: it must come back as an assistant message.</summary>
    [LlmCached]
    public async ValueTask<ChatMessage> ReplyAsync(string prompt)
    {
        Interlocked.Increment(ref Calls);
        ClientResult<ChatCompletion> result = await _chat.CompleteChatAsync([new UserChatMessage(prompt)]);
        return new AssistantChatMessage(result.Value);
    }

    /// <summary>Models inside an application's own record.</summary>
    [LlmCached]
    public async Task<Answer> AnswerAsync(string prompt)
    {
        Interlocked.Increment(ref Calls);
        ClientResult<ChatCompletion> result = await _chat.CompleteChatAsync([new UserChatMessage(prompt)]);
        return new Answer(prompt, result.Value, [result.Value]);
    }

    /// <summary>A model of the application's own; <paramref name="detailed"/> returns a subclass its reader cannot make.</summary>
    [LlmCached]
    public Task<Verdict> JudgeAsync(string prompt, bool detailed)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(detailed ? new DetailedVerdict { Text = prompt, Detail = "because" } : new Verdict { Text = prompt });
    }
}

/// <summary>An application's record that holds provider models.</summary>
public sealed record Answer(string Prompt, ChatCompletion Completion, IReadOnlyList<ChatCompletion> History);

/// <summary>
/// A model that writes and reads itself through System.ClientModel's interfaces, as SDK models do.
/// Its reader always makes a <see cref="Verdict"/>, so a <see cref="DetailedVerdict"/> would lose its detail.
/// </summary>
public class Verdict : IJsonModel<Verdict>
{
    public string Text { get; set; } = "";

    protected virtual void WriteMembers(Utf8JsonWriter writer) => writer.WriteString("text", Text);

    void IJsonModel<Verdict>.Write(Utf8JsonWriter writer, ModelReaderWriterOptions options)
    {
        writer.WriteStartObject();
        WriteMembers(writer);
        writer.WriteEndObject();
    }

    Verdict IJsonModel<Verdict>.Create(ref Utf8JsonReader reader, ModelReaderWriterOptions options)
    {
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        return FromJson(document.RootElement);
    }

    BinaryData IPersistableModel<Verdict>.Write(ModelReaderWriterOptions options)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            ((IJsonModel<Verdict>)this).Write(writer, options);
        }
        return new BinaryData(stream.ToArray());
    }

    Verdict IPersistableModel<Verdict>.Create(BinaryData data, ModelReaderWriterOptions options)
    {
        using JsonDocument document = JsonDocument.Parse(data);
        return FromJson(document.RootElement);
    }

    string IPersistableModel<Verdict>.GetFormatFromOptions(ModelReaderWriterOptions options) => "J";

    private static Verdict FromJson(JsonElement json) => new() { Text = json.GetProperty("text").GetString()! };
}

public sealed class DetailedVerdict : Verdict
{
    public string Detail { get; set; } = "";

    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        base.WriteMembers(writer);
        writer.WriteString("detail", Detail);
    }
}
