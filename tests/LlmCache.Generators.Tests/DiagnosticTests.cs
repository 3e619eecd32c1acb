using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>
/// What the generator must refuse: it emits nothing for the method, and the analyzer (which shares the
/// generator's checks) reports an error at the right place.
/// </summary>
public sealed class DiagnosticTests
{
    private static Diagnostic Single(string source, string id)
    {
        var (_, generatorDiagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.Analyze(source), d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Empty(result.GeneratedTrees);
        return diagnostic;
    }

    private static int Line(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    private const string Header = """
        using System;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;
        namespace Demo;
        """;

    [Fact]
    public void UnknownIgnoredParameter_IsLLMC001_WithTheClosestName()
    {
        Diagnostic d = Single(Header + """

            public class S
            {
                [LlmCached(IgnoreParams = ["usr"])]
                public Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
            }
            """, "LLMC001");
        Assert.Equal(9, Line(d));
        Assert.Contains("did you mean 'user'?", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("soon")]
    [InlineData("00:00:00")]
    [InlineData("10x")]
    public void InvalidTtl_IsLLMC002(string ttl)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached(Ttl = "{{ttl}}")]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC002");
        Assert.Equal(9, Line(d));
        Assert.Contains(ttl, d.GetMessage(), StringComparison.Ordinal);
        Assert.StartsWith("Ttl '", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forever")]
    [InlineData("0s")]
    public void InvalidFailSafe_IsLLMC002_AtTheFailSafeArgument(string window)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached(Ttl = "1h",
                    FailSafe = "{{window}}")]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC002");
        Assert.Equal(10, Line(d));
        Assert.StartsWith($"FailSafe '{window}'", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SoftTimeout = \"soon\"", "LLMC002", "SoftTimeout 'soon'")]
    [InlineData("HardTimeout = \"-1s\"", "LLMC002", "HardTimeout '-1s'")]
    [InlineData("EagerRefresh = 1.5", "LLMC017", "EagerRefresh 1.5 ")]
    [InlineData("EagerRefresh = -0.2", "LLMC017", "EagerRefresh -0.2 ")]
    public void InvalidBackgroundSettings_AreReported_AtTheirArgument(string argument, string id, string message)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached(Ttl = "1h", FailSafe = "1d",
                    {{argument}})]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, id);
        Assert.Equal(10, Line(d));
        Assert.StartsWith(message, d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Semantic = \"qestion\"", "Semantic names 'qestion', but 'S.AskAsync' has no parameter of that name; did you mean 'question'?")]
    [InlineData("Semantic = nameof(user), IgnoreParams = new[] { \"user\" }", "Semantic parameter 'user' is ignored")]
    [InlineData("Semantic = nameof(user), Tenant = nameof(user)", "Semantic parameter 'user' is the tenant")]
    [InlineData("Semantic = nameof(count)", "Semantic parameter 'count' is a int")]
    [InlineData("Semantic = nameof(question), Similarity = 1.2", "Similarity 1.2 is not a cosine similarity threshold")]
    [InlineData("Semantic = nameof(question), Similarity = -0.5", "Similarity -0.5 is not a cosine similarity threshold")]
    [InlineData("Similarity = 0.9", "Similarity has no effect on 'S.AskAsync' without Semantic")]
    public void ASemanticDeclaration_ThatCannotBeHonoured_IsLLMC018_AtItsArgument(string argument, string message)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached(Ttl = "1h",
                    {{argument}})]
                public Task<string> AskAsync(string question, string user, int count) => Task.FromResult(question);
            }
            """, "LLMC018");
        Assert.Equal(10, Line(d));
        Assert.StartsWith(message, d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ASemanticStream_IsLLMC018()
    {
        Diagnostic d = Single(Header + """

            public class S
            {
                [LlmCached(Ttl = "1h",
                    Semantic = nameof(question))]
                public async System.Collections.Generic.IAsyncEnumerable<string> AskAsync(string question) { yield return question; await Task.Yield(); }
            }
            """, "LLMC018");
        Assert.Equal(10, Line(d));
        Assert.Contains("streams its answer", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ASemanticMethod_KeysEverythingButItsText_InItsPartition()
    {
        string generated = GeneratorHarness.Generated(GeneratorHarness.Run(Header + """
            using System.Collections.Generic;
            using Microsoft.Extensions.AI;
            public class S
            {
                [LlmCached(Ttl = "1h", Semantic = nameof(question), Similarity = 0.92)]
                public Task<string> AskAsync(string model, string question) => Task.FromResult(question);

                [LlmCached(Ttl = "1h", Semantic = nameof(messages))]
                public ValueTask<string> ChatAsync(IList<ChatMessage> messages, ChatOptions? options) => new(messages.Count.ToString());
            }
            """).Result);

        Assert.Contains("semantic: \"question\", similarity: 0.92);", generated, StringComparison.Ordinal);
        Assert.Contains("semantic: \"messages\");", generated, StringComparison.Ordinal);
        Assert.Matches(@"\.GetOrCreateSemanticTaskAsync<\(global::[\w.]*S, string, string\), string>\(M, ", generated);
        Assert.Matches(@"\.GetOrCreateSemanticValueTaskAsync<\(global::[\w.]*S, global::System\.Collections\.Generic\.IList<global::Microsoft\.Extensions\.AI\.ChatMessage>, global::Microsoft\.Extensions\.AI\.ChatOptions\?\), string>\(M, ", generated);
        string askPartition = Between(generated, "internal static void WritePartition(", "private static string? SemanticText(");
        Assert.Contains("w.WriteString(s.Item2);", askPartition, StringComparison.Ordinal);
        Assert.DoesNotContain("s.Item3", askPartition, StringComparison.Ordinal);
        Assert.Contains("=> s.Item3;", generated, StringComparison.Ordinal);
        Assert.Contains("global::LlmCache.SemanticText.WritePartition(w, s.Item2);", generated, StringComparison.Ordinal);
        Assert.Contains("=> global::LlmCache.SemanticText.LastUserText(s.Item2);", generated, StringComparison.Ordinal);

        static string Between(string text, string start, string end)
        {
            int from = text.IndexOf(start, StringComparison.Ordinal);
            return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
        }
    }

    [Fact]
    public void BackgroundSettings_ReachTheMethodDescriptor_AsNamedArguments()
    {
        string generated = GeneratorHarness.Generated(GeneratorHarness.Run(Header + """
            public class S
            {
                [LlmCached(Ttl = "1h", FailSafe = "1d", SoftTimeout = "2s", HardTimeout = "1m", EagerRefresh = 0.9)]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """).Result);

        Assert.Contains("null, failSafe: LlmcTimeSpan.FromTicks(864000000000L), softTimeout: LlmcTimeSpan.FromTicks(20000000L), "
            + "hardTimeout: LlmcTimeSpan.FromTicks(600000000L), eagerRefresh: 0.9);", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailSafeWindow_ReachesTheMethodDescriptor_AndLeavesTheIdAlone()
    {
        const string Plain = """
            public class S
            {
                [LlmCached(Ttl = "1h")]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """;
        string plain = GeneratorHarness.Generated(GeneratorHarness.Run(Header + Plain).Result);
        string withWindow = GeneratorHarness.Generated(GeneratorHarness.Run(Header + Plain.Replace("Ttl = \"1h\"", "Ttl = \"1h\", FailSafe = \"1d\"")).Result);

        Assert.DoesNotContain("FromTicks(864000000000L)", plain, StringComparison.Ordinal);
        Assert.Contains("null, failSafe: LlmcTimeSpan.FromTicks(864000000000L));", withWindow, StringComparison.Ordinal);
        // The window changes how long entries are kept, not what a key means: the method id stays.
        string Id(string source) => System.Text.RegularExpressions.Regex.Match(source, "\"[\\w.]*S\\.AskAsync\\.[0-9a-f]{16}\"").Value;
        Assert.NotEmpty(Id(plain));
        Assert.Equal(Id(plain), Id(withWindow));
    }

    [Theory]
    [InlineData("void", "{ }")]
    [InlineData("Task", "=> Task.CompletedTask;")]
    [InlineData("ValueTask", "=> default;")]
    [InlineData("string", "=> \"\";")]
    public void UncacheableReturnType_IsLLMC003(string returnType, string body)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached]
                public {{returnType}} Ask(string prompt) {{body}}
            }
            """, "LLMC003");
        Assert.Equal(10, Line(d));
    }

    [Fact]
    public void UnreadableResult_IsLLMC003_AtTheReturnType_ButStillIntercepted()
    {
        string source = Header + """

            public sealed class Uncopyable(int seed)
            {
                public int Value { get; set; } = seed;
            }

            public class S
            {
                [LlmCached]
                public Task<Uncopyable> AskAsync(string prompt) => Task.FromResult(new Uncopyable(1));

                public Task<Uncopyable> Call() => AskAsync("hi");
            }
            """;
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        // The application's serializer options may read the type (then the report is suppressed), and
        // where they cannot the runtime calls the method uncached: the interceptor is written either way.
        Assert.Contains("InterceptsLocation", GeneratorHarness.Generated(result), StringComparison.Ordinal);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);

        Diagnostic d = Assert.Single(GeneratorHarness.Analyze(source), d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal("LLMC003", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("true", d.Properties[DiagnosticDescriptors.PropertyIntercepted]);
        Assert.Equal("Task<Uncopyable>", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Contains("'seed'", d.GetMessage(), StringComparison.Ordinal);
    }

    private const string SdkHeader = Header + """

        using System.ClientModel;
        using System.ClientModel.Primitives;
        using OpenAI.Chat;
        using OpenAI.Embeddings;
        """;

    [Fact]
    public void ProviderSdkResults_AreCached_WithoutADiagnostic()
    {
        string source = SdkHeader + """

            public sealed record Answer(string Prompt, ChatCompletion Completion, ChatCompletion[] History);

            public class S
            {
                [LlmCached] internal Task<ChatCompletion> A(string p) => throw null!;
                [LlmCached] internal Task<ClientResult<ChatCompletion>> B(string p) => throw null!;
                [LlmCached] internal ValueTask<OpenAIEmbeddingCollection> C(string p) => throw null!;
                [LlmCached] internal Task<ClientResult<OpenAIEmbeddingCollection>> D(string p) => throw null!;
                [LlmCached] internal Task<ChatMessage> E(string p) => throw null!;
                [LlmCached] internal Task<Answer> F(string p) => throw null!;

                public async Task Call()
                {
                    await A("a"); await B("b"); await C("c"); await D("d"); await E("e"); await F("f");
                }
            }
            """;
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Count(GeneratorHarness.Generated(result), @"\[LlmcAt\("));
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(GeneratorHarness.Analyze(source), d => d.Severity >= DiagnosticSeverity.Warning);
    }

    [Fact]
    public void BareClientResult_IsLLMC003_AndNothingIsGenerated()
    {
        Diagnostic d = Single(SdkHeader + """

            public class S
            {
                [LlmCached]
                public Task<ClientResult> SendAsync(string body) => throw null!;
            }
            """, "LLMC003");
        Assert.Equal(14, Line(d));
        Assert.False(d.Properties.ContainsKey(DiagnosticDescriptors.PropertyIntercepted));
        Assert.Contains("a ClientResult holds only the provider's raw response", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ClientResultOfAnUnreadableValue_IsLLMC003_AtTheValue()
    {
        string source = SdkHeader + """

            public sealed class Uncopyable(int seed)
            {
                public int Value { get; set; } = seed;
            }

            public class S
            {
                [LlmCached]
                public Task<ClientResult<Uncopyable>> AskAsync(string prompt) => throw null!;
            }
            """;
        Diagnostic d = Assert.Single(GeneratorHarness.Analyze(source), d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal("LLMC003", d.Id);
        Assert.Equal("true", d.Properties[DiagnosticDescriptors.PropertyIntercepted]);
        Assert.Contains("'seed'", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("(at ClientResult<Uncopyable>.Value)", d.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A type from a compiled library is checked in full when that library cannot carry a serializer
    /// attribute (it does not reference System.Text.Json); one that does reference it may hide a
    /// private [JsonConstructor], so only its public shape counts.
    /// </summary>
    [Fact]
    public void ATypeFromALibraryWithoutSystemTextJson_IsLLMC003_ButNotOneFromALibraryThatUsesIt()
    {
        MetadataReference plain = GeneratorHarness.Library("Plain", """
            namespace Plain;
            public class Verdict
            {
                internal Verdict() { }
                public string Text { get; set; } = "";
            }
            """);
        MetadataReference annotated = GeneratorHarness.Library("Annotated", """
            namespace Annotated;
            public class Verdict
            {
                [System.Text.Json.Serialization.JsonConstructor]
                internal Verdict() { }
                public string Text { get; set; } = "";
            }
            """);
        string source = Header + """

            public class S
            {
                [LlmCached] public Task<Plain.Verdict> A(string p) => throw null!;
                [LlmCached] public Task<Annotated.Verdict> B(string p) => throw null!;
            }
            """;
        Diagnostic d = Assert.Single(GeneratorHarness.Analyze(GeneratorHarness.CompileWith([plain, annotated], source)),
            d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal("LLMC003", d.Id);
        Assert.Equal("Task<Plain.Verdict>", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        Assert.Contains("'Verdict' has no public constructor", d.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("true", d.Properties[DiagnosticDescriptors.PropertyIntercepted]);
    }

    [Theory]
    [InlineData("Stream s", "framework type")]
    [InlineData("object o", "'object'")]
    [InlineData("IDisposable d", "interface")]
    [InlineData("Func<int> f", "delegate")]
    [InlineData("ref int r", "'ref' parameters")]
    [InlineData("out int r", "'out' parameters")]
    public void UnkeyableParameter_IsLLMC004_AtTheParameter(string parameter, string reason)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached]
                public Task<string> AskAsync(string prompt,
                    {{parameter}}) => throw null!;
            }
            """, "LLMC004");
        Assert.Equal(11, Line(d));
        Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnkeyableParameter_IsAccepted_WhenIgnored()
    {
        string source = Header + """

            public class S
            {
                [LlmCached(IgnoreParams = ["log"])]
                public Task<string> AskAsync(string prompt, Action<string> log) => Task.FromResult(prompt);
                public Task<string> Call() => AskAsync("x", _ => { });
            }
            """;
        var (output, diagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.Analyze(source).Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(x => x.Severity >= DiagnosticSeverity.Warning));
    }

    [Theory]
    [InlineData("private", "private or protected")]
    [InlineData("protected", "private or protected")]
    public void InaccessibleMethod_IsLLMC009(string accessibility, string reason)
    {
        Diagnostic d = Single(Header + $$"""

            public class S
            {
                [LlmCached]
                {{accessibility}} Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC009");
        Assert.Equal(10, Line(d));
        Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void MethodInGenericType_IsLLMC009()
    {
        Diagnostic d = Single(Header + """

            public class S<T>
            {
                [LlmCached]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC009");
        Assert.Contains("generic type", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidNamespace_IsLLMC012()
    {
        Diagnostic d = Single(Header + """

            public class S
            {
                [LlmCached(Namespace = "has space")]
                public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC012");
        Assert.Equal(9, Line(d));
    }

    [Fact]
    public void DictionaryWithUnorderableKeys_IsLLMC004()
    {
        Diagnostic d = Single(Header + """

            public sealed record K(int A);
            public class S
            {
                [LlmCached]
                public Task<string> AskAsync(System.Collections.Generic.Dictionary<K, int> map) => Task.FromResult("");
            }
            """, "LLMC004");
        Assert.Contains("no natural order", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnkeyableCacheKeyMember_IsLLMC004_AtTheMember_AndNothingIsGenerated()
    {
        Diagnostic d = Single(Header + """

            public class S
            {
                [CacheKey] private readonly Stream _body = Stream.Null;

                [LlmCached] internal Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
            }
            """, "LLMC004");
        Assert.Equal(9, Line(d));
        Assert.Contains("[CacheKey] member '_body' cannot be keyed", d.GetMessage(), StringComparison.Ordinal);
    }
}
