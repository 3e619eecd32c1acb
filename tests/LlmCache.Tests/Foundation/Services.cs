using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Foundation;

public enum Mood { Calm, Angry }

public sealed record Ticket(string Subject, int Priority, List<string> Labels, Ticket? Parent);

public sealed class Node
{
    public string Name { get; set; } = "";
    public Node? Next { get; set; }
}

public sealed class Fingerprinted(string secret) : ICacheKeyWritable
{
    public string Secret { get; } = secret;
    public string Noise { get; set; } = "";

    // Only the secret's length enters the key: the type decides what matters.
    public void WriteCacheKey(KeyWriter writer) => writer.WriteInt32(Secret.Length);
}

/// <summary>Every method shape and parameter kind, each counting its calls.</summary>
public sealed partial class ShapeService(LlmCacheRuntime runtime)
{
    public int Calls;

    public LlmCacheRuntime Runtime => runtime;

    [LlmCached] public Task<string> TwoStrings(string a, string b) { Calls++; return Task.FromResult(a + "|" + b); }
    [LlmCached] public Task<string> NullableString(string? a) { Calls++; return Task.FromResult(a ?? "(null)"); }
    [LlmCached] public Task<string> Echo<T>(T value) { Calls++; return Task.FromResult($"{typeof(T).Name}:{value}"); }
    [LlmCached] public ValueTask<int> Numbers(int i, long l, double d, decimal m, bool b, char c, Mood mood, int? maybe) { Calls++; return new(i); }
    [LlmCached] public Task<int> Floats(double d) { Calls++; return Task.FromResult(1); }
    [LlmCached] public Task<int> Collections(int[] array, List<string> list, IEnumerable<int> sequence) { Calls++; return Task.FromResult(array.Length); }
    [LlmCached] public Task<int> Maps(Dictionary<string, int> map, HashSet<string> set) { Calls++; return Task.FromResult(map.Count); }
    [LlmCached] public Task<string> Records(Ticket ticket) { Calls++; return Task.FromResult(ticket.Subject); }
    [LlmCached] public Task<string> Linked(Node node) { Calls++; return Task.FromResult(node.Name); }
    [LlmCached] public Task<string> Custom(Fingerprinted value) { Calls++; return Task.FromResult(value.Secret); }
    [LlmCached] public Task<string> Params(string head, params string[] rest) { Calls++; return Task.FromResult(head + rest.Length); }
    [LlmCached] public Task<string> Defaults(string prompt, int level = 3, string? style = null) { Calls++; return Task.FromResult(prompt + level + style); }
    [LlmCached(IgnoreParams = ["user", "log"])] public Task<string> Ignoring(string prompt, string user, Action<string>? log) { Calls++; return Task.FromResult(prompt); }
    [LlmCached] public Task<string> WithToken(string prompt, CancellationToken ct) { Calls++; return Task.FromResult(prompt); }
    [LlmCached] public Task<string> Chat(IList<ChatMessage> messages, ChatOptions? options) { Calls++; return Task.FromResult(messages.Count.ToString()); }
    [LlmCached] public Task<string> Content(AIContent content) { Calls++; return Task.FromResult(content.GetType().Name); }
    [LlmCached] public Task<int> Throws(string prompt) { Calls++; throw new InvalidOperationException("boom " + Calls); }

    [LlmCached(IgnoreParams = ["gate"])]
    public async Task<string> Gated(string prompt, TaskCompletionSource gate)
    {
        Interlocked.Increment(ref Calls);
        await gate.Task;
        return prompt;
    }

    [LlmCached(IgnoreParams = ["yielded", "proceed"])]
    public async IAsyncEnumerable<string> Stream(string prompt, int count, SemaphoreSlim? yielded = null, SemaphoreSlim? proceed = null,
        bool fail = false, [EnumeratorCancellation] CancellationToken ct = default)
    {
        Interlocked.Increment(ref Calls);
        for (int i = 0; i < count; i++)
        {
            if (i > 0 && proceed is not null)
            {
                await proceed.WaitAsync(ct);
            }
            if (fail && i == count - 1)
            {
                throw new InvalidOperationException("stream failed");
            }
            await Task.Yield();
            yield return $"{prompt}-{i}";
            yielded?.Release();
        }
    }

    [LlmCached(Ttl = "30s")] public Task<string> Short(string prompt) { Calls++; return Task.FromResult(prompt + Calls); }
    [LlmCached(Ttl = "00:02:00")] public Task<string> Clock(string prompt) { Calls++; return Task.FromResult(prompt + Calls); }
}

public sealed partial class ShapeService
{
    public sealed class Nested(LlmCacheRuntime runtime)
    {
        public int Calls;
        public LlmCacheRuntime Runtime { get; } = runtime;

        [LlmCached] internal Task<string> AskAsync(string prompt) { Calls++; return Task.FromResult(prompt); }
    }
}

public static class StaticService
{
    public static int Calls;
    internal static LlmCacheRuntime? Runtime;

    [LlmCached] public static Task<string> AskAsync(string prompt) { Calls++; return Task.FromResult(prompt); }

    [LlmCached] public static Task<string> ShoutAsync(this string text, int times) { Calls++; return Task.FromResult(string.Concat(Enumerable.Repeat(text, times))); }
}
