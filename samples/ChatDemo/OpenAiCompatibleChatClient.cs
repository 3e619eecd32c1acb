using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ChatDemo;

/// <summary>
/// A minimal client for an OpenAI-compatible <c>/chat/completions</c> endpoint, used when
/// OPENAI_API_KEY is set (OPENAI_BASE_URL and OPENAI_MODEL optional).
/// </summary>
internal sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly HttpClient _http;
    private readonly string _model;
    private int _calls;

    public OpenAiCompatibleChatClient(string apiKey, string? baseUrl, string? model)
    {
        _http = new HttpClient { BaseAddress = new Uri((baseUrl ?? "https://api.openai.com/v1").TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(120) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _model = model ?? "gpt-4o-mini";
    }

    public string Model => _model;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var body = new JsonObject
        {
            ["model"] = options?.ModelId ?? _model,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text }).ToArray()),
        };
        if (options?.Temperature is float temperature)
        {
            body["temperature"] = temperature;
        }
        using HttpResponseMessage response = await _http.PostAsJsonAsync("chat/completions", body, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using JsonDocument json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        JsonElement root = json.RootElement;
        string text = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        var result = new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = root.TryGetProperty("model", out JsonElement m) ? m.GetString() : _model };
        if (root.TryGetProperty("usage", out JsonElement usage))
        {
            long input = usage.TryGetProperty("prompt_tokens", out JsonElement p) ? p.GetInt64() : 0;
            long output = usage.TryGetProperty("completion_tokens", out JsonElement c) ? c.GetInt64() : 0;
            result.Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        }
        return result;
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ChatDemo does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => _http.Dispose();
}
