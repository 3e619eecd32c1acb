using System.Text.RegularExpressions;
using LlmCache.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators.Tests;

/// <summary>
/// <c>[assembly: LlmCacheCalls]</c>: which call sites of a method of another assembly (<see cref="FakeSdk"/>)
/// are intercepted, and what enters their key. A call counts as intercepted when the output compilation
/// binds it to a generated interceptor.
/// </summary>
public sealed class CallsTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using FakeSdk;

        """;

    [Fact]
    public void EveryOverloadWithAnAwaitableResult_IsIntercepted_AndNoOther()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "CompleteAsync")]
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "Translate")]
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "StreamAsync")]
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "SendAsync")]

            public static class Caller
            {
                public static async Task Run(ChatClient client, List<Message> history, System.ClientModel.BinaryContent content, CancellationToken ct)
                {
                    await client.CompleteAsync(history);
                    await client.CompleteAsync(new Message(Role.User, "hi"));
                    client.Complete(history);
                    client.Translate("a", "fr");
                    await client.Translate("a", "fr", ct);
                    await foreach (string part in client.StreamAsync(history, ct)) { }
                    await client.SendAsync("p");
                    await client.SendAsync(content);
                }
            }
            """);

        Assert.Equal(
        [
            "client.CompleteAsync(history)",
            "client.CompleteAsync(new Message(Role.User, \"hi\"))",
            "client.Translate(\"a\", \"fr\", ct)",
            "client.StreamAsync(history, ct)",
            "client.SendAsync(\"p\")",
        ], run.InterceptedCalls);
        // One model per cacheable overload: the synchronous Translate and the protocol SendAsync have none.
        Assert.Equal(5, run.Descriptors.Count);
    }

    [Theory]
    [InlineData("typeof(Message[])", "client.CompleteAsync(new Message(Role.User, \"hi\"))")]
    [InlineData("typeof(IEnumerable<Message>), typeof(Options), typeof(CancellationToken)", "client.CompleteAsync(history)")]
    public void ParameterTypes_SelectsOneOverload_AndOnlyItsCallsAreIntercepted(string types, string intercepted)
    {
        Generated run = Generate(Usings + $$"""
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "CompleteAsync", ParameterTypes = [{{types}}])]

            public static class Caller
            {
                public static async Task Run(ChatClient client, List<Message> history)
                {
                    await client.CompleteAsync(history);
                    await client.CompleteAsync(new Message(Role.User, "hi"));
                }
            }
            """);

        Assert.Equal([intercepted], run.InterceptedCalls);
        Assert.Single(run.Descriptors);
    }

    [Fact]
    public void IgnoreParams_OnAMethodOfAnotherAssembly_KeepsTheArgumentOutOfTheKey_ButPassesItOn()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "CompleteAsync", IgnoreParams = ["options"],
                ParameterTypes = [typeof(IEnumerable<Message>), typeof(Options), typeof(CancellationToken)])]

            public static class Caller
            {
                public static Task<Completion> Run(ChatClient client, List<Message> history) => client.CompleteAsync(history, new Options { Temperature = 1 });
            }
            """);

        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["messages", "this.Endpoint", "this.Model", "this.Name"], method.Keyed);
        Assert.Equal(["options", "ct"], method.Ignored);
        Assert.DoesNotContain("s.Item3);", method.WriteKey, StringComparison.Ordinal);
        Assert.Contains(" ct)\n        => s.Item1.CompleteAsync(s.Item2, s.Item3, ct);", run.Text, StringComparison.Ordinal);
        Assert.Equal(["client.CompleteAsync(history, new Options { Temperature = 1 })"], run.InterceptedCalls);
    }

    [Fact]
    public void RequestOptions_NeverEntersTheKey_AndTheProtocolOverloadIsNotCached()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "SendAsync", Ttl = "10m")]

            public static class Caller
            {
                public static async Task Run(ChatClient client, System.ClientModel.BinaryContent content)
                {
                    await client.SendAsync("p", new System.ClientModel.Primitives.RequestOptions { BufferResponse = false });
                    await client.SendAsync(content, null);
                }
            }
            """);

        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["prompt", "this.Endpoint", "this.Model", "this.Name"], method.Keyed);
        Assert.Equal(["options"], method.Ignored);
        Assert.Equal(["client.SendAsync(\"p\", new System.ClientModel.Primitives.RequestOptions { BufferResponse = false })"], run.InterceptedCalls);
        Assert.DoesNotContain(GeneratorHarness.Analyze(run.Input), d => d.Severity >= DiagnosticSeverity.Warning);
    }

    [Fact]
    public void TheReceiver_IsKeyedByItsPublicSimpleProperties_InheritedOnesToo()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "SendAsync")]

            public static class Caller
            {
                public static Task<Completion> Run(ChatClient client) => client.SendAsync("p");
            }
            """);

        Descriptor method = Assert.Single(run.Descriptors);
        // Endpoint is declared on the SDK's base class; the HttpClient and the ICompletions are not simple values.
        Assert.Equal(["this.Endpoint", "this.Model", "this.Name"], method.Keyed.Where(k => k.StartsWith("this.", StringComparison.Ordinal)));
        Assert.Contains("w.WriteUri(s.Item1.Endpoint);", method.WriteKey, StringComparison.Ordinal);
        Assert.DoesNotContain("Transport", method.WriteKey, StringComparison.Ordinal);
        Assert.DoesNotContain("Completions", method.WriteKey, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticMethod_IsIntercepted_WithNoReceiverInTheKey()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(Moderation), "CheckAsync", Tags = ["moderation"])]

            public static class Caller
            {
                public static Task<bool> Run(string text) => Moderation.CheckAsync(text);
            }
            """);

        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["text"], method.Keyed);
        Assert.Equal(["ct"], method.Ignored);
        Assert.Equal(["Moderation.CheckAsync(text)"], run.InterceptedCalls);
    }

    [Fact]
    public void InterfaceTypedReceiver_IsIntercepted_WhenTheAttributeNamesTheInterface()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ICompletions), "CreateAsync")]

            public sealed class LocalCompletions : ICompletions
            {
                public string Model => "local";

                public Task<Completion> CreateAsync(string prompt, CancellationToken ct = default) => Task.FromResult(new Completion(prompt, 0));
            }

            public static class Caller
            {
                public static async Task Run(ChatClient client, ICompletions completions, LocalCompletions local)
                {
                    await client.Completions.CreateAsync("a");
                    await completions.CreateAsync("b");
                    await ((ICompletions)local).CreateAsync("c");
                    await local.CreateAsync("d");
                }
            }
            """);

        // A call on the class binds to the class's own method, which the attribute does not name.
        Assert.Equal(
        [
            "client.Completions.CreateAsync(\"a\")",
            "completions.CreateAsync(\"b\")",
            "((ICompletions)local).CreateAsync(\"c\")",
        ], run.InterceptedCalls);
        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["prompt", "this.Model"], method.Keyed);
    }

    [Fact]
    public void DerivedReceiver_BindsToTheDeclaredMethod_UnlessItOverridesIt()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "CompleteAsync", ParameterTypes = [typeof(IEnumerable<Message>), typeof(Options), typeof(CancellationToken)])]

            public sealed class AuditedClient(string model, Uri endpoint) : ChatClient(model, endpoint);

            public sealed class TracingClient(string model, Uri endpoint) : ChatClient(model, endpoint)
            {
                public override Task<Completion> CompleteAsync(IEnumerable<Message> messages, Options? options = null, CancellationToken ct = default) =>
                    base.CompleteAsync(messages, options, ct);
            }

            public static class Caller
            {
                public static async Task Run(DeploymentChatClient deployment, AuditedClient audited, TracingClient tracing, List<Message> history)
                {
                    await deployment.CompleteAsync(history);
                    await audited.CompleteAsync(history);
                    await tracing.CompleteAsync(history);
                }
            }
            """);

        // The SDK's subclass and the application's both inherit the method: their calls bind to it. An
        // override is a method of its own (as for [LlmCached]), and base.M() is never intercepted.
        Assert.Equal(["deployment.CompleteAsync(history)", "audited.CompleteAsync(history)"], run.InterceptedCalls);
    }

    [Fact]
    public void TwoAttributesNamingOneMethod_InterceptEachCallOnce_WithTheFirstOnesSettings()
    {
        string source = Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "SendAsync", Ttl = "1h")]
            [assembly: LlmCache.LlmCacheCalls(typeof(ChatClient), "SendAsync", Ttl = "2h", ParameterTypes = [typeof(string), typeof(System.ClientModel.Primitives.RequestOptions)])]

            public static class Caller
            {
                public static Task<Completion> Run(ChatClient client) => client.SendAsync("p");
            }
            """;
        Generated run = Generate(source);

        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal("LlmcTimeSpan.FromTicks(36000000000L)", method.Ttl);
        Assert.Equal(["client.SendAsync(\"p\")"], run.InterceptedCalls);
    }

    [Fact]
    public void ExperimentalSdkMembers_TheGeneratedCodeUses_AreSuppressedThere()
    {
        Generated run = Generate(Usings + """
            [assembly: LlmCache.LlmCacheCalls(typeof(PreviewClient), "AskAsync")]

            public static class Caller
            {
            #pragma warning disable FAKE002 // the application opts into the preview method at its call site
                public static Task<Completion> Run(PreviewClient client) => client.AskAsync("p");
            #pragma warning restore FAKE002
            }
            """);

        // The region is keyed (two regions may answer differently) although the application never reads it.
        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["prompt", "this.Model", "this.Region"], method.Keyed);
        Assert.Contains("#pragma warning disable FAKE001, FAKE002 ", run.Text, StringComparison.Ordinal);
        Assert.Equal(["client.AskAsync(\"p\")"], run.InterceptedCalls);
    }

    [Fact]
    public void SdkModels_AreKeyedByTheirOwnJson()
    {
        Generated run = Generate([FakeSdk.ModelReference, .. FakeSdk.ClientModel], """
            using System.Threading.Tasks;
            using ModelSdk;

            [assembly: LlmCache.LlmCacheCalls(typeof(ModelClient), "AskAsync")]

            public static class Caller
            {
                public static Task<Answer> Run(ModelClient client) => client.AskAsync(new Prompt("hi"), new Style("terse"));
            }
            """);

        Descriptor method = Assert.Single(run.Descriptors);
        Assert.Equal(["prompt", "style", "this.Model"], method.Keyed);
        Assert.Equal(["options"], method.Ignored);
        // IJsonModel<T> writes the request as the SDK sends it; a [JsonConverter] type is written by its converter.
        Assert.Contains("w.WriteJsonModel<global::ModelSdk.Prompt>(s.Item2);", method.WriteKey, StringComparison.Ordinal);
        Assert.Contains("w.WriteJsonValue<global::ModelSdk.Style>(s.Item3);", method.WriteKey, StringComparison.Ordinal);
        Assert.Equal(["client.AskAsync(new Prompt(\"hi\"), new Style(\"terse\"))"], run.InterceptedCalls);
    }

    /// <summary>One generated method: its descriptor's arguments (as the runtime's LlmCachedMethod gets them) and its key writer.</summary>
    internal sealed record Descriptor(string Id, string Ttl, string[] Keyed, string[] Ignored, string WriteKey);

    internal sealed record Generated(Compilation Input, string Text, IReadOnlyList<string> InterceptedCalls, IReadOnlyList<Descriptor> Descriptors);

    private static Generated Generate(string source) => Generate([FakeSdk.Reference], source);

    /// <summary>Runs the generator (and the agreement check) over a consumer of the given assemblies; the output must compile cleanly.</summary>
    internal static Generated Generate(MetadataReference[] references, string source)
    {
        CSharpCompilation input = GeneratorHarness.Compile(references, source);
        Assert.DoesNotContain(input.GetDiagnostics(), d => d.Severity >= DiagnosticSeverity.Warning);
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(input);
        Assert.Empty(generatorDiagnostics);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Take(10)));
        string text = GeneratorHarness.Generated(result).ReplaceLineEndings("\n");
        return new Generated(input, text, InterceptedCalls(output), Descriptors(text));
    }

    /// <summary>The calls of the consumer's own files that the output compilation sends to an interceptor, in source order.</summary>
    internal static IReadOnlyList<string> InterceptedCalls(Compilation output)
    {
        var calls = new List<string>();
        foreach (SyntaxTree tree in output.SyntaxTrees.Where(t => t.FilePath.StartsWith("/src/", StringComparison.Ordinal)))
        {
            SemanticModel model = output.GetSemanticModel(tree);
            foreach (InvocationExpressionSyntax invocation in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetInterceptorMethod(invocation) is not null)
                {
                    calls.Add(invocation.ToString());
                }
            }
        }
        return calls;
    }

    private static IReadOnlyList<Descriptor> Descriptors(string text)
    {
        var descriptors = new List<Descriptor>();
        foreach (Match match in Regex.Matches(text,
            @"LlmcMethod M = new\((?<id>""[^""]*""), (?<ttl>null|LlmcTimeSpan\.FromTicks\(\d+L\)), (?<ns>null|""[^""]*""), (?<tags>null|new string\[\] \{[^}]*\}), (?<keyed>null|new string\[\] \{[^}]*\}), (?<ignored>null|new string\[\] \{[^}]*\}), "))
        {
            int start = text.IndexOf("internal static void W(", match.Index, StringComparison.Ordinal);
            int end = text.IndexOf("\n    }\n", start, StringComparison.Ordinal);
            descriptors.Add(new Descriptor(match.Groups["id"].Value.Trim('"'), match.Groups["ttl"].Value,
                Strings(match.Groups["keyed"].Value), Strings(match.Groups["ignored"].Value), text[start..end]));
        }
        return descriptors;
    }

    private static string[] Strings(string array) => Regex.Matches(array, "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToArray();
}
