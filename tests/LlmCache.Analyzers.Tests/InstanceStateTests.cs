using LlmCache.Generators.CodeFixes;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>LLMC014: reads of instance state that is not in the key, each exemption, and both fixes.</summary>
public sealed class InstanceStateTests
{
    [Fact]
    public Task FieldPropertyAndPrimaryConstructorReads_AreReported() => Verify.Analyzer("""
        class Agent(IChatClient llm, string persona)
        {
            private readonly string _model = "gpt";
            internal string Style { get; } = "terse";

            [LlmCached]
            internal async Task<string> AskAsync(string prompt)
            {
                ChatResponse answer = await {|LLMC014:llm|}.GetResponseAsync({|LLMC014:persona|} + {|LLMC014:this.Style|} + prompt, new ChatOptions { ModelId = {|LLMC014:_model|} });
                return answer.Text + persona + Style; // one report per member, at its first read
            }
        }
        """);

    [Fact]
    public Task ReadsInsideLambdas_AndThroughThis_AreReported() => Verify.Analyzer("""
        class Agent
        {
            private readonly string _persona = "pirate";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.Run(() => {|LLMC014:this._persona|} + prompt);
        }
        """);

    [Fact]
    public Task PartialMethod_TheImplementingPartsReads_AreReported() => Verify.Analyzer("""
        partial class Agent
        {
            private readonly string _persona = "pirate";

            [LlmCached]
            internal partial Task<string> AskAsync(string prompt);
        }

        partial class Agent
        {
            internal partial Task<string> AskAsync(string prompt) => Task.FromResult({|LLMC014:_persona|} + prompt);

            internal Task<string> AskAsync(int n) => Task.FromResult(_persona + n); // an uncached overload of the same name
        }
        """);

    [Fact]
    public Task MarkedMembers_AreNotReported() => Verify.Analyzer("""
        class Agent([NotKeyed] IChatClient llm, [CacheKey] string persona)
        {
            [CacheKey] private readonly string _model = "gpt";
            [NotKeyed] internal string Audit { get; set; } = "";

            [LlmCached]
            internal async Task<string> AskAsync(string prompt)
            {
                Audit = prompt;
                ChatResponse answer = await llm.GetResponseAsync(persona + Audit + prompt, new ChatOptions { ModelId = _model });
                return answer.Text;
            }
        }
        """);

    [Fact]
    public Task RecordPositionalProperty_MarkedOnItsParameter_IsNotReported() => Verify.Analyzer("""
        sealed record Agent([CacheKey] string Persona)
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(Persona + prompt);
        }
        """);

    [Fact]
    public Task Exemptions_RuntimeLoggingMetricsThrottlingAndCounters_AreNotReported() => Verify.Analyzer("""
        class Agent(LlmCacheRuntime cache, Microsoft.Extensions.Logging.ILogger<Agent> log)
        {
            private static readonly System.Diagnostics.ActivitySource s_source = new("a");
            private readonly System.Diagnostics.Metrics.Counter<int> _asked = new System.Diagnostics.Metrics.Meter("m").CreateCounter<int>("asked");
            private readonly SemaphoreSlim _throttle = new(4);
            private readonly object _gate = new();
            internal LlmCacheRuntime Cache => cache;
            internal int Calls;
            internal long Tokens;
            internal string? Last;

            [LlmCached]
            internal async Task<string> AskAsync(string prompt)
            {
                Calls++;
                Interlocked.Increment(ref Calls);
                Tokens += prompt.Length;
                _asked.Add(1);
                log.LogWarning("asked {Count}", Calls);
                await _throttle.WaitAsync();
                lock (_gate) { Last = prompt; }
                _throttle.Release();
                return prompt + Calls + nameof(Last);
            }
        }

        static class Log
        {
            public static void LogWarning(this Microsoft.Extensions.Logging.ILogger logger, string message, int count) { }
        }
        """);

    [Fact]
    public Task StaticState_AndStaticMethods_AreNotReported() => Verify.Analyzer("""
        class Agent
        {
            private static string s_persona = "pirate";
            private const string Model = "gpt";
            private readonly string _instanceOnly = "x";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(s_persona + Model + prompt);

            [LlmCached]
            internal static Task<string> ShoutAsync(string prompt) => Task.FromResult(s_persona + prompt);

            internal string NotCached() => _instanceOnly;
        }
        """);

    [Fact]
    public Task ATypeThatWritesItsOwnKey_IsNotReported() => Verify.Analyzer("""
        class Agent : ICacheKeyWritable
        {
            private readonly string _persona = "pirate";

            public void WriteCacheKey(KeyWriter writer) => writer.WriteString(_persona);

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(_persona + prompt);
        }
        """);

    [Fact]
    public Task OtherObjectsState_IsNotInstanceState() => Verify.Analyzer("""
        sealed class Settings { public string Persona = "p"; }
        class Agent
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt, Settings settings) => Task.FromResult(settings.Persona + new Settings().Persona + prompt);
        }
        """);

    [Fact]
    public Task Pragma_SuppressesTheReport() => Verify.Analyzer("""
        class Agent
        {
            private readonly string _persona = "pirate";

        #pragma warning disable LLMC014 // one instance per process: the persona never differs
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(_persona + prompt);
        #pragma warning restore LLMC014
        }
        """);

    [Fact]
    public Task UnkeyableCacheKeyMember_IsLLMC004_OnceAtTheMember() => Verify.Analyzer("""
        class Agent
        {
            [CacheKey] private readonly System.IO.Stream {|LLMC004:_body|} = System.IO.Stream.Null;

            [LlmCached] internal Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            [LlmCached] internal Task<string> TellAsync(string prompt) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task CodeFix_KeysAField() => Verify.CodeFix<InstanceStateCodeFixProvider>("""
        class Agent
        {
            private readonly string _persona = "pirate";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult({|LLMC014:_persona|} + prompt);
        }
        """, """
        class Agent
        {
            [CacheKey]
            private readonly string _persona = "pirate";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(_persona + prompt);
        }
        """);

    [Fact]
    public Task CodeFix_DeclaresAPropertyIrrelevant() => Verify.CodeFix<InstanceStateCodeFixProvider>("""
        class Agent
        {
            internal string Audit { get; set; } = "";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult({|LLMC014:this.Audit|}.Length > 0 ? prompt : prompt);
        }
        """, """
        class Agent
        {
            [NotKeyed]
            internal string Audit { get; set; } = "";

            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(this.Audit.Length > 0 ? prompt : prompt);
        }
        """, index: 1);

    [Fact]
    public Task CodeFix_UnkeyableClient_OffersOnlyNotKeyed_OnThePrimaryConstructorParameter() => Verify.CodeFix<InstanceStateCodeFixProvider>("""
        class Agent(IChatClient llm)
        {
            [LlmCached]
            internal Task<ChatResponse> AskAsync(string prompt) => {|LLMC014:llm|}.GetResponseAsync(prompt);
        }
        """, """
        class Agent([NotKeyed] IChatClient llm)
        {
            [LlmCached]
            internal Task<ChatResponse> AskAsync(string prompt) => llm.GetResponseAsync(prompt);
        }
        """);

    [Fact]
    public Task CodeFix_KeysAPrimaryConstructorParameter() => Verify.CodeFix<InstanceStateCodeFixProvider>("""
        class Agent(string persona)
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult({|LLMC014:persona|} + prompt);
        }
        """, """
        class Agent([CacheKey] string persona)
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(persona + prompt);
        }
        """);
}
