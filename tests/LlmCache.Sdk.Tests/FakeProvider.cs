using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmCache.Sdk.Tests;

/// <summary>
/// A local HTTP endpoint speaking just enough of the OpenAI chat completions and Anthropic messages
/// APIs: it counts the requests it serves and answers each with the last user message echoed back,
/// numbered by request, so a second answer to the same question shows it came from the model.
/// </summary>
internal sealed class FakeProvider : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    public FakeProvider()
    {
        int port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint's root, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Requests served so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The body of the last request.</summary>
    public JsonNode? LastBody { get; private set; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            int n = Interlocked.Increment(ref _requests);
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            JsonNode? body = JsonNode.Parse(await reader.ReadToEndAsync());
            LastBody = body;
            string path = context.Request.Url!.AbsolutePath;
            string json = path.EndsWith("/chat/completions", StringComparison.Ordinal) ? OpenAiAnswer(body, n)
                : path.EndsWith("/messages", StringComparison.Ordinal) ? AnthropicAnswer(body, n)
                : path.EndsWith("/embeddings", StringComparison.Ordinal) ? EmbeddingsAnswer(body, n)
                : "";
            context.Response.StatusCode = json.Length == 0 ? 404 : 200;
            context.Response.ContentType = "application/json";
            byte[] bytes = Encoding.UTF8.GetBytes(json);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static string LastUserText(JsonNode? body)
    {
        JsonArray? messages = body?["messages"]?.AsArray();
        JsonNode? content = messages?.LastOrDefault(m => (string?)m?["role"] == "user")?["content"];
        return content switch
        {
            JsonValue value => (string?)value ?? "",
            JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"])),
            _ => "",
        };
    }

    private static string OpenAiAnswer(JsonNode? body, int n) => new JsonObject
    {
        ["id"] = "chatcmpl-" + n,
        ["object"] = "chat.completion",
        ["created"] = 1_760_000_000 + n,
        ["model"] = (string?)body?["model"],
        ["system_fingerprint"] = "fp_fake",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["finish_reason"] = "tool_calls",
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = $"{LastUserText(body)}#{n}",
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_" + n,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = "{\"q\":\"" + n + "\"}" },
                }),
            },
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 7, ["total_tokens"] = 18 },
    }.ToJsonString();

    private static string AnthropicAnswer(JsonNode? body, int n) => new JsonObject
    {
        ["id"] = "msg_" + n,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = (string?)body?["model"],
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = $"{LastUserText(body)}#{n}" }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = 12, ["output_tokens"] = 6 },
    }.ToJsonString();

    private static string EmbeddingsAnswer(JsonNode? body, int n)
    {
        JsonNode? input = body?["input"];
        int count = input is JsonArray array ? array.Count : 1;
        var data = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray(n, i, 0.5) });
        }
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = (string?)body?["model"],
            ["usage"] = new JsonObject { ["prompt_tokens"] = 3, ["total_tokens"] = 3 },
        }.ToJsonString();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
