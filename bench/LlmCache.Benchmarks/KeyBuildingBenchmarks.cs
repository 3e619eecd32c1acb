using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LlmCache;
using LlmCache.Generated;
using Microsoft.Extensions.AI;

namespace LlmCache.Benchmarks;

public sealed record Ticket(string Subject, int Priority, List<string> Labels, Dictionary<string, string> Fields);

public sealed class KeyShapes(LlmCacheRuntime cache)
{
    public LlmCacheRuntime Cache => cache;

    [LlmCached] public Task<string> Text(string prompt) => Task.FromResult(prompt);
    [LlmCached] public Task<string> Chat(IList<ChatMessage> messages, ChatOptions options) => Task.FromResult("");
    [LlmCached] public Task<string> Record(Ticket ticket) => Task.FromResult(ticket.Subject);
}

/// <summary>Key building per parameter shape: the generated writer against JSON + SHA-256 of the same data.</summary>
[MemoryDiagnoser]
public class KeyBuildingBenchmarks
{
    private readonly LlmCacheRuntime _runtime = new();
    private readonly List<ChatMessage> _messages = ChatWorkload.Messages();
    private readonly ChatOptions _options = ChatWorkload.Options();
    private readonly string _prompt = ChatWorkload.SystemPrompt;
    private readonly Ticket _ticket = new("Refund for order 1234", 2, ["billing", "refund", "priority"],
        new() { ["order"] = "1234", ["channel"] = "email", ["locale"] = "en-GB" });

    [Benchmark] public string Text_Generated() => LlmCacheKeys.KeyShapes_Text(_prompt).Key(_runtime);
    [Benchmark] public string Text_JsonSha256() => Hash(JsonSerializer.SerializeToUtf8Bytes(_prompt));

    [Benchmark] public string Chat_Generated() => LlmCacheKeys.KeyShapes_Chat(_messages, _options).Key(_runtime);
    [Benchmark] public string Chat_JsonSha256() => ChatWorkload.JsonSha256Key(_messages, _options);

    [Benchmark] public string Record_Generated() => LlmCacheKeys.KeyShapes_Record(_ticket).Key(_runtime);
    [Benchmark] public string Record_JsonSha256() => Hash(JsonSerializer.SerializeToUtf8Bytes(_ticket));

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
