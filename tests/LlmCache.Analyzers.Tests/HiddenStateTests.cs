using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>LLMC015: a keyed type that keeps state outside its public members makes its calls run uncached.</summary>
public sealed class HiddenStateTests
{
    [Fact]
    public Task PrivateField_IsReported_WithTypeMemberAndMethod() => Verify.AnalyzerExpecting("""
        sealed class Doc
        {
            private string _style = "bold";
            public string Text { get; set; } = "";
            public string Render() => _style + Text;
        }
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(Doc {|#0:doc|}) => Task.FromResult(doc.Render());
        }
        """,
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Doc", "_style", "S.RenderAsync"));

    [Fact]
    public Task InternalAutoProperty_IsReported() => Verify.Analyzer("""
        sealed class Doc
        {
            public string Text { get; set; } = "";
            internal string Style { get; set; } = "";
        }
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(Doc {|LLMC015:doc|}) => Task.FromResult(doc.Style + doc.Text);
        }
        """);

    [Fact]
    public Task CapturedPrimaryConstructorParameter_IsReported() => Verify.AnalyzerExpecting("""
        sealed class StyledText(string text, string style)
        {
            public string Text { get; } = text;
            public string Render() => style + ":" + Text;
        }
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(StyledText {|#0:text|}) => Task.FromResult(text.Render());
        }
        """,
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("StyledText", "style", "S.RenderAsync"));

    [Fact]
    public Task HiddenStateInAMemberOrElementType_IsReported_NamingThatType() => Verify.AnalyzerExpecting("""
        sealed class Style
        {
            private int _weight = 700;
            public string Name { get; set; } = "";
            public int Weight() => _weight;
        }
        sealed class Doc
        {
            public string Text { get; set; } = "";
            public Style Style { get; set; } = new();
        }
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(Doc {|#0:doc|}) => Task.FromResult(doc.Text);
            [LlmCached] internal static Task<int> CountAsync(List<Style> {|#1:styles|}) => Task.FromResult(styles.Count);
        }
        """,
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Style", "_weight", "S.RenderAsync"),
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("Style", "_weight", "S.CountAsync"));

    [Fact]
    public Task CacheKeyMemberWithHiddenState_IsReported_AtTheMember_ForEachMethod() => Verify.AnalyzerExpecting("""
        sealed class Persona(string voice)
        {
            public string Name { get; } = "pirate";
            public string Speak() => voice;
        }
        sealed class Agent
        {
            [CacheKey] internal Persona {|#0:Persona|} { get; } = new("arr");

            [LlmCached] internal Task<string> AskAsync(string prompt) => Task.FromResult(Persona.Speak() + prompt);
            [LlmCached] internal Task<string> TellAsync(string prompt) => Task.FromResult(Persona.Speak() + prompt);
        }
        """,
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Persona", "voice", "Agent.AskAsync"),
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Persona", "voice", "Agent.TellAsync"));

    // The analyzer does not walk generated files (nothing reported in one is shown), but a cached method declared in one is
    // still analyzed: what is wrong with it may be in code the developer wrote, and is reported there.
    [Fact]
    public Task CachedMethodDeclaredInAGeneratedFile_StillHasAHandWrittenMembersHiddenStateReported() => Verify.AnalyzerExpectingWithFiles("""
        sealed class Persona(string voice)
        {
            public string Name { get; } = "pirate";
            public string Speak() => voice;
        }
        sealed partial class Agent
        {
            [CacheKey] internal Persona {|#0:Persona|} { get; } = new("arr");
        }
        """,
        [("Agent.g.cs", """
            sealed partial class Agent
            {
                [LlmCached] internal Task<string> AskAsync(string prompt) => Task.FromResult(Persona.Speak() + prompt);
                internal Func<string, Task<string>> Group => AskAsync;
            }
            """)],
        new DiagnosticResult("LLMC015", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Persona", "voice", "Agent.AskAsync"));

    [Fact]
    public Task PublicMembers_Records_CopiedParameters_AndMarkedState_AreNotReported() => Verify.Analyzer("""
        sealed class Plain
        {
            public string Text { get; set; } = "";
            public int Count;
        }
        sealed record Positional(string Text, int Count);
        sealed class Copied(string text)
        {
            public string Text { get; } = text; // copied by the initializer, not captured
        }
        sealed class MarkedField
        {
            [NotKeyed] private readonly string _traceId = Guid.NewGuid().ToString();
            public string Text { get; set; } = "";
            public string Trace() => _traceId;
        }
        sealed class MarkedProperty
        {
            public string Text { get; set; } = "";
            [NotKeyed] internal string TraceId { get; set; } = "";
        }
        sealed class MarkedParameter([NotKeyed] string traceId)
        {
            public string Text { get; set; } = "";
            public string Trace() => traceId;
        }
        static class S
        {
            [LlmCached] internal static Task<string> A(Plain p) => Task.FromResult(p.Text);
            [LlmCached] internal static Task<string> B(Positional p) => Task.FromResult(p.Text);
            [LlmCached] internal static Task<string> C(MarkedField p) => Task.FromResult(p.Text);
            [LlmCached] internal static Task<string> D(MarkedProperty p) => Task.FromResult(p.Text);
            [LlmCached] internal static Task<string> E(MarkedParameter p) => Task.FromResult(p.Text);
            [LlmCached] internal static Task<string> F(Copied p) => Task.FromResult(p.Text);
        }
        """);

    [Fact]
    public Task TypeThatWritesItsOwnKey_IsNotReported() => Verify.Analyzer("""
        sealed class Doc : ICacheKeyWritable
        {
            private string _style = "bold";
            public string Text { get; set; } = "";
            public void WriteCacheKey(KeyWriter writer)
            {
                writer.WriteString(_style);
                writer.WriteString(Text);
            }
        }
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(Doc doc) => Task.FromResult(doc.Text);
        }
        """);

    [Fact]
    public Task IgnoredParameter_IsNotReported() => Verify.Analyzer("""
        sealed class Doc
        {
            private string _style = "bold";
            public string Text { get; set; } = "";
            public string Render() => _style + Text;
        }
        static class S
        {
            [LlmCached(IgnoreParams = ["doc"])] internal static Task<string> RenderAsync(string text, Doc doc) => Task.FromResult(text);
        }
        """);

    [Fact]
    public Task TypeFromAnotherAssembly_IsNotReported_TheRuntimeChecksIt() => Verify.AnalyzerWith("""
        static class S
        {
            [LlmCached] internal static Task<string> RenderAsync(Library.Doc doc) => Task.FromResult(doc.Text);
        }
        """, Library("""
        namespace Library;
        public sealed class Doc
        {
            private string _style = "bold";
            public string Text { get; set; } = "";
            public string Render() => _style + Text;
        }
        """));

    [Fact]
    public Task PragmaSuppressesIt() => Verify.Analyzer("""
        sealed class StyledText(string text, string style)
        {
            public string Text { get; } = text;
            public string Render() => style + ":" + Text;
        }
        static class S
        {
            // Runs uncached on purpose: the style must never be keyed.
        #pragma warning disable LLMC015
            [LlmCached] internal static Task<string> RenderAsync(StyledText text) => Task.FromResult(text.Render());
        #pragma warning restore LLMC015
        }
        """);

    private static MetadataReference Library(string source)
    {
        CSharpCompilation library = CSharpCompilation.Create("Library", [CSharpSyntaxTree.ParseText(source)], Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
