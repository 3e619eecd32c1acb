using LlmCache.Testing;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>
/// What the analyzer says about an <c>[assembly: LlmCacheCalls]</c>: every problem at the attribute (the
/// method is in another assembly, so there is nothing else to point at), and LLMC011 counting its call
/// sites there. Every input also runs the generator, which must agree (<see cref="Agreement"/>).
/// </summary>
public sealed class CallsDiagnosticTests
{
    // The attribute sits on line 6 of every input.
    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using FakeSdk;

        """;

    private const string Caller = """


        public static class Caller
        {
            public static async Task Run(ChatClient client, List<Message> history)
            {
                await client.CompleteAsync(history);
                await client.CompleteAsync(new Message(Role.User, "a"));
                await client.CompleteAsync(history, null);
                await client.CompleteAsync(new Message(Role.User, "b"), new Message(Role.User, "c"));
                await client.CompleteAsync(history, new Options(), default);
                await client.RewriteAsync("x", s => s);
                await client.Completions.CreateAsync("y");
            }
        }
        """;

    [Theory]
    [InlineData("typeof(ChatClient), \"CompletAsync\"", "'FakeSdk.ChatClient' has no member named 'CompletAsync'")]
    [InlineData("typeof(ChatClient), \"Model\"", "'FakeSdk.ChatClient.Model' is a property; only method calls can be cached")]
    [InlineData("typeof(ChatClient), \"DefaultModel\"", "'FakeSdk.ChatClient.DefaultModel' is a field; only method calls can be cached")]
    [InlineData("typeof(ChatClient), \"Completed\"", "'FakeSdk.ChatClient.Completed' is an event; only method calls can be cached")]
    [InlineData("typeof(ChatClient), \"CompleteAsync\", ParameterTypes = [typeof(string)]", "no overload of 'FakeSdk.ChatClient.CompleteAsync' takes (string)")]
    [InlineData("typeof(ChatClient), \"Complete\"", "no overload of 'FakeSdk.ChatClient.Complete' returns Task<T>, ValueTask<T> or IAsyncEnumerable<T>")]
    [InlineData("typeof(ChatClient), \"ResetAsync\"", "no overload of 'FakeSdk.ChatClient.ResetAsync' returns Task<T>")]
    [InlineData("typeof(ChatClient), \"Translate\", ParameterTypes = [typeof(string), typeof(string)]", "the overload of 'FakeSdk.ChatClient.Translate' that ParameterTypes selects does not return Task<T>")]
    [InlineData("typeof(ChatClient), \"SendAsync\", ParameterTypes = [typeof(System.ClientModel.BinaryContent), typeof(System.ClientModel.Primitives.RequestOptions)]",
        "the overload of 'FakeSdk.ChatClient.SendAsync' that ParameterTypes selects does not return Task<T>")]
    [InlineData("typeof(Pager<>), \"NextAsync\"", "'FakeSdk.Pager<>' is an open generic type, whose methods cannot be intercepted")]
    public void NothingCacheable_IsLLMC016_AtTheAttribute(string arguments, string reason)
    {
        (Diagnostic d, Generated run) = Single(Header + $"[assembly: LlmCache.LlmCacheCalls({arguments})]" + Caller, "LLMC016");

        Assert.Equal(6, Line(d));
        Assert.Equal("LlmCache.LlmCacheCalls(" + arguments + ")", Text(d));
        Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void ValidAttribute_HasNoLLMC016_NorAnyWarning()
    {
        string source = Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"CompleteAsync\", Ttl = \"1h\", Namespace = \"v2\", Tags = [\"sdk\"])]" + Caller;
        Generated run = Run(source);

        Assert.DoesNotContain(run.Analyzer, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal(5, CallsTests.InterceptedCalls(run.Output).Count);
    }

    [Fact]
    public void CallSites_AreCountedAtTheAttribute_PerOverload_LLMC011()
    {
        Generated run = Run(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"CompleteAsync\")]" + Caller);

        Diagnostic[] summaries = run.Analyzer.Where(d => d.Id == "LLMC011").OrderBy(d => d.Properties[DiagnosticDescriptors.PropertyDocId], StringComparer.Ordinal).ToArray();
        Assert.Equal(2, summaries.Length);
        Assert.All(summaries, d => Assert.Equal(6, Line(d)));
        Assert.All(summaries, d => Assert.Equal("true", d.Properties[DiagnosticDescriptors.PropertyCached]));
        Assert.Equal("M:FakeSdk.ChatClient.CompleteAsync(FakeSdk.Message[])", summaries[0].Properties[DiagnosticDescriptors.PropertyDocId]);
        Assert.Equal("2", summaries[0].Properties[DiagnosticDescriptors.PropertyCallSites]);
        Assert.Equal("M:FakeSdk.ChatClient.CompleteAsync(System.Collections.Generic.IEnumerable{FakeSdk.Message},FakeSdk.Options,System.Threading.CancellationToken)",
            summaries[1].Properties[DiagnosticDescriptors.PropertyDocId]);
        Assert.Equal("3", summaries[1].Properties[DiagnosticDescriptors.PropertyCallSites]);
        Assert.Equal("'ChatClient.CompleteAsync' is cached at 3 call site(s) in this project", summaries[1].GetMessage());
    }

    [Fact]
    public void UnkeyableParameter_IsLLMC004_AtTheAttribute_AndNoCallIsIntercepted()
    {
        (Diagnostic d, Generated run) = Single(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"RewriteAsync\")]" + Caller, "LLMC004");

        Assert.Equal(6, Line(d));
        Assert.Contains("Parameter 'filter'", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("delegate", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.Result.GeneratedTrees);
        Diagnostic summary = Assert.Single(run.Analyzer, x => x.Id == "LLMC011");
        Assert.Equal("false", summary.Properties[DiagnosticDescriptors.PropertyCached]);
        Assert.Equal("0", summary.Properties[DiagnosticDescriptors.PropertyCallSites]);
    }

    [Fact]
    public void UnkeyableParameter_IsAccepted_WhenIgnored()
    {
        Generated run = Run(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"RewriteAsync\", IgnoreParams = [\"filter\"])]" + Caller);

        Assert.DoesNotContain(run.Analyzer, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal(["client.RewriteAsync(\"x\", s => s)"], CallsTests.InterceptedCalls(run.Output));
    }

    [Fact]
    public void UnknownIgnoredParameter_IsLLMC001_AtTheName()
    {
        (Diagnostic d, _) = Single(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"SendAsync\", IgnoreParams = [\"promt\"])]" + Caller, "LLMC001");

        Assert.Equal("\"promt\"", Text(d));
        Assert.Contains("did you mean 'prompt'?", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidTtl_IsLLMC002_AtTheArgument()
    {
        (Diagnostic d, _) = Single(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"SendAsync\", Ttl = \"soon\")]" + Caller, "LLMC002");

        Assert.Equal("Ttl = \"soon\"", Text(d));
    }

    [Fact]
    public void MethodOfAClosedGenericType_IsLLMC009_AtTheAttribute()
    {
        (Diagnostic d, _) = Single(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(Pager<string>), \"NextAsync\")]" + Caller, "LLMC009");

        Assert.Equal(6, Line(d));
        Assert.Contains("generic type", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SecondAttributeNamingTheSameMethods_IsLLMC016()
    {
        (Diagnostic d, Generated run) = Single(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ICompletions), \"CreateAsync\", Ttl = \"1h\")]\n"
            + "[assembly: LlmCache.LlmCacheCalls(typeof(ICompletions), \"CreateAsync\", Ttl = \"2h\")]" + Caller, "LLMC016", generates: true);

        Assert.Equal(7, Line(d));
        Assert.Contains("'FakeSdk.ICompletions.CreateAsync' is already cached by an earlier LlmCacheCalls attribute", d.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(["client.Completions.CreateAsync(\"y\")"], CallsTests.InterceptedCalls(run.Output));
    }

    [Fact]
    public void AttributeCachingSomeOverloadsOfAnEarlierOne_IsAccepted()
    {
        // The first attribute takes one overload; the second caches the other with its own settings.
        Generated run = Run(Header + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"CompleteAsync\", ParameterTypes = [typeof(Message[])], Ttl = \"1h\")]\n"
            + "[assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), \"CompleteAsync\", Ttl = \"2h\")]" + Caller);

        Assert.DoesNotContain(run.Analyzer, d => d.Severity >= DiagnosticSeverity.Warning);
        Diagnostic[] summaries = run.Analyzer.Where(d => d.Id == "LLMC011").OrderBy(Line).ToArray();
        Assert.Equal([6, 7], summaries.Select(Line));
        Assert.Equal(5, CallsTests.InterceptedCalls(run.Output).Count);
    }

    internal sealed record Generated(Compilation Output, GeneratorDriverRunResult Result, IReadOnlyList<Diagnostic> Analyzer);

    private static Generated Run(string source)
    {
        Compilation input = GeneratorHarness.Compile([FakeSdk.Reference], source);
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(input);
        Assert.Empty(generatorDiagnostics);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Take(10)));
        return new Generated(output, result, GeneratorHarness.Analyze(input));
    }

    /// <summary>The one diagnostic of warning or error severity: an error with its doc page; the output still compiles.</summary>
    private static (Diagnostic Diagnostic, Generated Run) Single(string source, string id, bool generates = false)
    {
        Generated run = Run(source);
        Diagnostic diagnostic = Assert.Single(run.Analyzer, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        if (!generates)
        {
            Assert.Empty(CallsTests.InterceptedCalls(run.Output));
        }
        return (diagnostic, run);
    }

    private static int Line(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    private static string Text(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
}
