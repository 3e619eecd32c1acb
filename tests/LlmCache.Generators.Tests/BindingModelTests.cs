using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators.Tests;

/// <summary>
/// Call sites are bound without nullable analysis (<see cref="BindingModel"/>): the method a call binds to, and where it is
/// intercepted, must be those the compiler's own model gives, in code where nullable inference is at work.
/// </summary>
public sealed class BindingModelTests
{
    private const string Source = """
        #nullable enable
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using LlmCache;

        namespace Demo;

        public sealed class Service
        {
            [LlmCached] public Task<string> AskAsync(string? prompt, int limit) => Task.FromResult(prompt ?? "");
            [LlmCached] public Task<string> AskAsync(IReadOnlyList<string?> prompts) => Task.FromResult("");
            [LlmCached] public Task<T> EchoAsync<T>(T value) => Task.FromResult(value);
            public Task<string> AskAsync(object prompt) => Task.FromResult("");
        }

        public static class Callers
        {
            public static async Task<int> RunAsync(Service service, Service? maybe, string? text)
            {
                int total = 0;
                total += (await service.AskAsync(text, 1)).Length;
                if (text is not null)
                {
                    total += (await service.EchoAsync(text)).Length;          // T inferred from a not-null flow state
                }
                string?[] items = [text, null];
                total += (await service.AskAsync(items.ToList())).Length;
                total += (await service.EchoAsync<string?>(text))?.Length ?? 0;
                total += (await (maybe?.AskAsync(text, 2) ?? Task.FromResult(""))).Length;
                Func<string?, Task<string>> ask = p => service.AskAsync(p, 3);
                total += (await ask(null)).Length;
                total += (await service.AskAsync((object)"x")).Length;         // not cached: not intercepted
                return total;
            }
        }
        """;

    [Fact]
    public void EveryCall_BindsToTheSameMethodAndLocation_AsTheCompilersModel()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Source);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel ordinary = compilation.GetSemanticModel(tree);
        SemanticModel binding = BindingModel.For(compilation, tree);
        InvocationExpressionSyntax[] calls = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().ToArray();
        Assert.True(calls.Length >= 8);
        int intercepted = 0;
        foreach (InvocationExpressionSyntax call in calls)
        {
            IMethodSymbol? expected = CallSiteParser.InterceptedTarget(call, ordinary, default, out var expectedLocation);
            IMethodSymbol? actual = CallSiteParser.InterceptedTarget(call, binding, default, out var actualLocation);
            Assert.Equal(expected?.GetDocumentationCommentId(), actual?.GetDocumentationCommentId());
            Assert.Equal(expectedLocation?.Data, actualLocation?.Data);
            intercepted += actual is null ? 0 : 1;
        }
        Assert.Equal(6, intercepted);
    }

    [Fact]
    public void TheGeneratedCode_InterceptsEachCachedCall_WithoutAWarning()
    {
        string generated = GeneratorHarness.GenerateCleanly(Source);
        Assert.Equal(6, generated.Split("[LlmcAt(").Length - 1);
    }
}

/// <summary>Cached methods and parameters named like the generated members (M, W, F) or their parameters (s, ct).</summary>
public sealed class GeneratedMemberNameTests
{
    [Fact]
    public void MethodsAndParameters_NamedLikeTheGeneratedMembers_CompileAndAreIntercepted()
    {
        string generated = GeneratorHarness.GenerateCleanly("""
            using System.Threading;
            using System.Threading.Tasks;
            using LlmCache;

            namespace Demo;

            public sealed class Names
            {
                [LlmCached] public Task<string> F(string s, CancellationToken ct) => Task.FromResult(s);
                [LlmCached] public Task<string> W(int F, string M) => Task.FromResult(M);
                [LlmCached] public static ValueTask<int> M<T>(T s, int W) where T : notnull => ValueTask.FromResult(W);
            }

            public static class Callers
            {
                public static async Task<int> RunAsync(Names n) =>
                    (await n.F("a", default)).Length + (await n.W(1, "b")).Length + await Names.M("c", 2);
            }
            """);
        Assert.Equal(3, generated.Split("[LlmcAt(").Length - 1);
    }

    /// <summary>
    /// A generic method's type parameters are in scope in its generated copy: one named like a name that copy declares or calls
    /// (its parameters s, ct, w, the members M, W, F, ...) would break the build inside generated code. Every identifier of a
    /// generic method's generated code is tried as a type parameter's name: the code compiles, or the method is refused with
    /// LLMC009 naming the type parameter, and nothing is generated for it.
    /// </summary>
    [Fact]
    public void ATypeParameter_NamedLikeAnyIdentifierOfTheGeneratedCode_CompilesOrIsRefusedClearly()
    {
        const string Template = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using LlmCache;

            namespace Demo;

            public sealed record Item(string Name, int? Count);

            public static class Generic
            {
                [LlmCached(Tenant = "tenant", Semantic = "prompt")]
                public static Task<string> Ask<TP>(TP value, List<TP> items, Item[] more, int? limit, IEnumerable<string> stream, string tenant,
                    string prompt, CancellationToken token) => Task.FromResult(prompt);
            }

            public static class Callers
            {
                public static Task<string> RunAsync() => Generic.Ask(1, [2], [], null, ["a"], "t", "p", default);
            }
            """;
        string generated = GeneratorHarness.GenerateCleanly(Template);
        int start = generated.IndexOf("file static class LlmCached_Ask", StringComparison.Ordinal);
        int end = generated.IndexOf("#nullable enable", start, StringComparison.Ordinal);
        string[] identifiers = System.Text.RegularExpressions.Regex.Matches(generated[start..end], @"(?<![\w.@:])[A-Za-z_]\w*")
            .Select(m => m.Value)
            .Where(n => SyntaxFacts.GetKeywordKind(n) == SyntaxKind.None && SyntaxFacts.GetContextualKeywordKind(n) == SyntaxKind.None && n != "TP")
            .Distinct()
            .ToArray();
        Assert.Contains("s", identifiers);
        Assert.Contains("M", identifiers);
        var refused = new List<string>();
        var skipped = new List<string>();
        foreach (string name in identifiers)
        {
            CSharpCompilation input = GeneratorHarness.Compile(System.Text.RegularExpressions.Regex.Replace(Template, @"\bTP\b", name));
            if (input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("LLMC", StringComparison.Ordinal)))
            {
                skipped.Add(name + ": " + input.GetDiagnostics().First(d => d.Severity == DiagnosticSeverity.Error));
                continue; // the project itself does not compile with that name (it names a type the code uses)
            }
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
            Diagnostic[] errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, $"type parameter '{name}': " + string.Join("\n", errors.Take(3)));
            bool generatedFor = output.SyntaxTrees.Any(t => t.ToString().Contains("LlmCached_Ask", StringComparison.Ordinal));
            bool refusedClearly = GeneratorHarness.Analyze(input).Any(d => d.Id == "LLMC009"
                && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains($"type parameter '{name}'", StringComparison.Ordinal));
            // Generated and not refused, or refused with the reason and nothing generated.
            Assert.True(generatedFor != refusedClearly, $"type parameter '{name}': generated {generatedFor}, refused {refusedClearly}");
            if (refusedClearly)
            {
                refused.Add(name);
            }
        }
        Assert.True(skipped.Count < identifiers.Length / 2, string.Join("\n", skipped));
        Assert.Superset(new HashSet<string> { "s", "ct", "w", "v", "M", "W", "F", "WriteTenant", "WritePartition", "SemanticText" }, refused.ToHashSet());
    }
}

/// <summary>
/// The typed key API and the exports are generated in an annotations-only nullable context (no flow analysis of their
/// bodies): their signatures must still tell a nullable-enabled caller which arguments may be null.
/// </summary>
public sealed class KeyApiNullabilityTests
{
    [Fact]
    public void ACallerOfTheKeyApi_IsWarnedForANullNonNullableArgument_AndNotForANullableOne()
    {
        var (output, _, _) = GeneratorHarness.Run("""
            #nullable enable
            using System.Threading.Tasks;
            using LlmCache;
            using LlmCache.Generated;

            namespace Demo;

            internal sealed class Service
            {
                [LlmCached] internal static Task<string> AskAsync(string prompt, string? style) => Task.FromResult(prompt);
            }

            internal static class Keys
            {
                internal static object Of() => LlmCacheKeys.Service_AskAsync(null, null);
            }
            """);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Diagnostic[] nullability = output.GetDiagnostics().Where(d => d.Id.StartsWith("CS86", StringComparison.Ordinal)).ToArray();
        Assert.True(nullability.Length == 1, string.Join("\n", nullability.Select(n => n.ToString())));
        Diagnostic warning = nullability[0];
        Assert.Equal("CS8625", warning.Id); // the first argument only: 'prompt' is not nullable, 'style' is
        Assert.Equal("/src/File0.cs", warning.Location.SourceTree!.FilePath);
    }
}
