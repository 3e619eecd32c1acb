using System.Runtime.CompilerServices;

namespace LlmCache.Generators.Tests;

/// <summary>
/// Output baselines for representative methods. Set LLMCACHE_UPDATE_BASELINES=1 to rewrite them, then
/// review the change with git diff.
/// </summary>
public sealed class BaselineTests
{
    private const string ChatService = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;
        using Microsoft.Extensions.AI;

        namespace Demo;

        public sealed record Ticket(string Subject, int Priority, List<string> Labels, Dictionary<string, int> Scores);

        public sealed class ChatService(IChatClient client, LlmCacheRuntime cache)
        {
            public LlmCacheRuntime Cache => cache;

            [LlmCached(Ttl = "1h", IgnoreParams = ["user"], Tags = ["chat"])]
            public Task<ChatResponse> AskAsync(string model, IList<ChatMessage> messages, ChatOptions? options, string user, CancellationToken ct) =>
                client.GetResponseAsync(messages, options, ct);

            [LlmCached(Ttl = "15m")]
            public ValueTask<string> TriageAsync(Ticket ticket, int? limit = null) => new("triaged");

            [LlmCached]
            public async IAsyncEnumerable<string> StreamAsync(string prompt, params string[] stops)
            {
                await Task.Yield();
                yield return prompt;
            }
        }

        public static class Program
        {
            public static async Task Run(ChatService service, List<ChatMessage> messages)
            {
                await service.AskAsync("gpt", messages, null, "u1", default);
                await service.AskAsync(messages: messages, model: "gpt", options: null, user: "u2", ct: default);
                await service.TriageAsync(new Ticket("a", 1, ["x"], new() { ["k"] = 1 }));
                await foreach (string s in service.StreamAsync("p", "a", "b")) { }
            }
        }
        """;

    private const string GenericAndStatic = """
        using System.Threading.Tasks;
        using LlmCache;

        namespace Demo;

        public static class Tools
        {
            public static LlmCacheRuntime? Runtime { get; set; }

            [LlmCached(Namespace = "v2")]
            public static Task<T> EchoAsync<T>(T value) where T : notnull => Task.FromResult(value);

            [LlmCached(Ttl = "00:00:30")]
            public static Task<int> LengthAsync(this string text) => Task.FromResult(text.Length);
        }

        public static class Caller
        {
            public static async Task Run()
            {
                await Tools.EchoAsync(1);
                await Tools.EchoAsync("x");
                await "abc".LengthAsync();
            }
        }
        """;

    private const string InstanceState = """
        using System.Threading.Tasks;
        using LlmCache;
        using Microsoft.Extensions.AI;

        namespace Demo;

        public sealed class Agent(LlmCacheRuntime cache, [CacheKey] string persona, [NotKeyed] IChatClient llm)
        {
            [CacheKey] private readonly string _model = "gpt";

            public LlmCacheRuntime Cache => cache;

            [CacheKey] public int Level { get; init; }

            [CacheKey] private string Style { get; } = "terse";

            [LlmCached(Ttl = "1h")]
            public async Task<string> AskAsync(string prompt) =>
                (await llm.GetResponseAsync(persona + _model + Level + Style + prompt)).Text;
        }

        public sealed class Shelf(string owner) : ICacheKeyWritable
        {
            public void WriteCacheKey(KeyWriter writer) => writer.WriteString(owner);

            [LlmCached]
            public Task<string> DescribeAsync(int item) => Task.FromResult(owner + item);
        }

        public static class Caller
        {
            public static async Task Run(Agent agent, Shelf shelf)
            {
                await agent.AskAsync("hi");
                await shelf.DescribeAsync(1);
            }
        }
        """;

    // A provider SDK's methods, cached at their call sites by [assembly: LlmCacheCalls] (see FakeSdk).
    private const string SdkCalls = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using FakeSdk;

        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "CompleteAsync", Ttl = "1h", Tags = ["sdk"])]

        namespace Demo;

        public static class Assistant
        {
            public static async Task<string> Run(ChatClient client, List<Message> history, CancellationToken ct)
            {
                Completion first = await client.CompleteAsync(history, new Options { Temperature = 0.2 }, ct);
                Completion second = await client.CompleteAsync(new Message(Role.User, "hi"), new Message(Role.Assistant, "hello"));
                Completion third = client.Complete(history);
                return first.Text + second.Text + third.Text;
            }
        }
        """;

    [Fact]
    public void ChatService_MatchesBaseline() => Verify(ChatService);

    [Fact]
    public void LlmCacheCalls_MatchesBaseline() => Verify(GeneratorHarness.Compile([LlmCache.Testing.FakeSdk.Reference], SdkCalls));

    [Fact]
    public void InstanceState_MatchesBaseline() => Verify(InstanceState);

    [Fact]
    public void GenericStaticAndExtension_MatchBaseline() => Verify(GenericAndStatic);

    private static void Verify(string source, [CallerMemberName] string name = "", [CallerFilePath] string file = "") =>
        Verify(GeneratorHarness.Compile(source), name, file);

    private static void Verify(Microsoft.CodeAnalysis.Compilation input, [CallerMemberName] string name = "", [CallerFilePath] string file = "")
    {
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(input);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string actual = GeneratorHarness.Generated(result).ReplaceLineEndings("\n");
        string path = Path.Combine(Path.GetDirectoryName(file)!, "Baselines", name + ".txt");
        if (Environment.GetEnvironmentVariable("LLMCACHE_UPDATE_BASELINES") == "1" || !File.Exists(path))
        {
            File.WriteAllText(path, actual);
            Assert.Fail($"Baseline {name} was written; review it with git diff and run again.");
        }
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
