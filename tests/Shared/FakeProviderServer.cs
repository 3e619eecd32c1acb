using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmCache.Testing;

/// <summary>
/// A local stand-in for the OpenAI and Anthropic HTTP APIs on 127.0.0.1 and a port of its own: it
/// answers <c>POST /chat/completions</c> with a chat completion (text that echoes the last message, a
/// tool call, usage, a finish reason and a numbered id), <c>POST /embeddings</c> with one vector per
/// input and <c>POST /messages</c> with an Anthropic message (the same echo, usage, a stop reason), and
/// counts every request it receives. The official SDKs talk to it over real HTTP: OpenAI's with its
/// endpoint set to <see cref="Endpoint"/>, Anthropic's with its base URL set to <see cref="Root"/>.
/// </summary>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _chatRequests;
    private int _embeddingRequests;
    private int _messageRequests;

    public FakeProviderServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Root = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        Endpoint = new Uri(Root, "v1/");
        _accepting = AcceptAsync();
    }

    /// <summary>The server's root (Anthropic's <c>BaseUrl</c>, to which its SDK adds <c>v1/messages</c>).</summary>
    public Uri Root { get; }

    /// <summary>The base address to give the OpenAI SDK (<c>OpenAIClientOptions.Endpoint</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>Requests received on <c>/chat/completions</c>.</summary>
    public int ChatRequests => Volatile.Read(ref _chatRequests);

    /// <summary>Requests received on <c>/embeddings</c>.</summary>
    public int EmbeddingRequests => Volatile.Read(ref _embeddingRequests);

    /// <summary>Requests received on <c>/messages</c> (Anthropic).</summary>
    public int MessageRequests => Volatile.Read(ref _messageRequests);

    /// <summary>Every request received, whatever its path.</summary>
    public int Requests => ChatRequests + EmbeddingRequests + MessageRequests;

    /// <summary>The body of the last chat completion sent, as the provider wrote it.</summary>
    public string? LastChatBody { get; private set; }

    /// <summary>The vector the server returns for <paramref name="input"/>: derived from its text, so equal inputs get equal vectors.</summary>
    public static float[] VectorFor(string input)
    {
        var vector = new float[4];
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (input.Length + i) / 10f + (i < input.Length ? input[i] : 0) / 1000f;
        }
        return vector;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            try
            {
                // One request per connection: the answer says so, and the client opens a new one.
                (string path, byte[] body) = await ReadRequestAsync(stream, _stop.Token);
                (int status, string json) = Answer(path, body);
                byte[] content = Encoding.UTF8.GetBytes(json);
                string head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: application/json\r\n"
                    + $"Content-Length: {content.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(content, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // The client went away mid-request: nothing to answer.
            }
        }
    }

    private (int Status, string Json) Answer(string path, byte[] body)
    {
        using JsonDocument request = JsonDocument.Parse(body);
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            int n = Interlocked.Increment(ref _chatRequests);
            string json = ChatCompletion(n, request.RootElement);
            LastChatBody = json;
            return (200, json);
        }
        if (path.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _embeddingRequests);
            return (200, Embeddings(request.RootElement));
        }
        if (path.EndsWith("/messages", StringComparison.Ordinal))
        {
            int n = Interlocked.Increment(ref _messageRequests);
            return (200, Message(n, request.RootElement));
        }
        return (404, """{"error":{"message":"unknown path","type":"invalid_request_error"}}""");
    }

    /// <summary>The text of the request's last message: a string, or its first content part's text.</summary>
    private static string LastPrompt(JsonElement request)
    {
        JsonElement messages = request.GetProperty("messages");
        JsonElement last = messages[messages.GetArrayLength() - 1];
        return last.GetProperty("content") is { ValueKind: JsonValueKind.String } text
            ? text.GetString()!
            : last.GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    private static string Message(int n, JsonElement request) => new JsonObject
    {
        ["id"] = $"msg_fake_{n}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = request.GetProperty("model").GetString(),
        ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = $"echo {n}: {LastPrompt(request)}" } },
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = 12, ["output_tokens"] = 5 + n },
    }.ToJsonString();

    private static string ChatCompletion(int n, JsonElement request)
    {
        string prompt = LastPrompt(request);
        var completion = new JsonObject
        {
            ["id"] = $"chatcmpl-fake-{n}",
            ["object"] = "chat.completion",
            ["created"] = 1767225600 + n,
            ["model"] = request.GetProperty("model").GetString(),
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray
            {
                new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = $"echo {n}: {prompt}",
                        ["refusal"] = null,
                        ["tool_calls"] = new JsonArray
                        {
                            new JsonObject
                            {
                                ["id"] = $"call_{n}",
                                ["type"] = "function",
                                ["function"] = new JsonObject
                                {
                                    ["name"] = "get_weather",
                                    ["arguments"] = """{"city":"Paris","unit":"celsius"}""",
                                },
                            },
                        },
                    },
                    ["logprobs"] = null,
                    ["finish_reason"] = "tool_calls",
                },
            },
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = 12,
                ["completion_tokens"] = 7 + n,
                ["total_tokens"] = 19 + n,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
                ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 3, ["audio_tokens"] = 0 },
            },
        };
        return completion.ToJsonString();
    }

    private static string Embeddings(JsonElement request)
    {
        JsonElement input = request.GetProperty("input");
        string[] inputs = input.ValueKind == JsonValueKind.Array
            ? input.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [input.GetString()!];
        bool base64 = request.TryGetProperty("encoding_format", out JsonElement format) && format.GetString() == "base64";
        var data = new JsonArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            float[] vector = VectorFor(inputs[i]);
            JsonNode embedding;
            if (base64)
            {
                byte[] bytes = new byte[vector.Length * sizeof(float)];
                for (int j = 0; j < vector.Length; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vector[j]);
                }
                embedding = Convert.ToBase64String(bytes);
            }
            else
            {
                var array = new JsonArray();
                foreach (float f in vector)
                {
                    array.Add(f);
                }
                embedding = array;
            }
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }
        var response = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = request.GetProperty("model").GetString(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 3 * inputs.Length, ["total_tokens"] = 3 * inputs.Length },
        };
        return response.ToJsonString();
    }

    /// <summary>Reads one HTTP/1.1 request: its path and its body (by Content-Length, or chunked).</summary>
    private static async Task<(string Path, byte[] Body)> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new RequestReader(stream);
        string requestLine = await reader.ReadLineAsync(cancellationToken);
        string[] parts = requestLine.Split(' ');
        if (parts.Length < 2)
        {
            throw new IOException("not an HTTP request");
        }
        int length = 0;
        bool chunked = false;
        for (string line = await reader.ReadLineAsync(cancellationToken); line.Length > 0; line = await reader.ReadLineAsync(cancellationToken))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }
        if (!chunked)
        {
            return (parts[1], await reader.ReadBytesAsync(length, cancellationToken));
        }
        using var body = new MemoryStream();
        while (true)
        {
            string size = await reader.ReadLineAsync(cancellationToken);
            int chunk = int.Parse(size.Split(';')[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (chunk == 0)
            {
                await reader.ReadLineAsync(cancellationToken); // the empty line after the last chunk (no trailers are sent)
                return (parts[1], body.ToArray());
            }
            body.Write(await reader.ReadBytesAsync(chunk, cancellationToken));
            await reader.ReadLineAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>Buffered reads of lines and byte runs from a connection.</summary>
    private sealed class RequestReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the connection closed mid-request");
                }
                byte b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                }
                line.Add(b);
            }
        }

        public async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellationToken)
        {
            byte[] result = new byte[count];
            int read = 0;
            while (read < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the connection closed mid-request");
                }
                int take = Math.Min(count - read, _end - _start);
                Array.Copy(_buffer, _start, result, read, take);
                _start += take;
                read += take;
            }
            return result;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }
    }
}
