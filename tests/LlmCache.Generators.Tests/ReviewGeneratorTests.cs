using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>Defects found in review of the generator: each test failed on the code it was written against.</summary>
public sealed class ReviewGeneratorTests
{
    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;
        namespace Demo;
        """;

    private static void AssertCompilesCleanly(string source)
    {
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        Assert.NotEmpty(result.GeneratedTrees);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
    }

    [Fact]
    public void ParametersNamedLikeTheGeneratedCode_Compile()
    {
        AssertCompilesCleanly(Header + """

            public class S
            {
                [LlmCached]
                public Task<string> AskAsync(string runtime, string cancellationToken, string w, string s, string v, string ct, CancellationToken token)
                    => Task.FromResult(runtime + cancellationToken + w + s + v + ct);
            }
            public static class Calls
            {
                public static Task<string> Go(S s) => s.AskAsync("a", "b", "c", "d", "e", "f", default);
            }
            """);
    }

    [Fact]
    public void ParametersNamedLikeTheGeneratedMembersAndAliases_AndMoreThanSevenArguments_Compile()
    {
        // The arguments travel as a value tuple (Item8 and on nest); the interceptor names M, W and the file's Llmc* aliases.
        AssertCompilesCleanly(Header + """

            public class S
            {
                [LlmCached(Tenant = nameof(WriteTenant))]
                public Task<string> AskAsync(string M, string W, string LlmcRuntime, string LlmcKey, int a5, int a6, int a7, int a8, string WriteTenant, CancellationToken token)
                    => Task.FromResult(M + W + LlmcRuntime + LlmcKey + a8 + WriteTenant);
            }
            public static class Calls
            {
                public static Task<string> Go(S s) => s.AskAsync("m", "w", "r", "k", 5, 6, 7, 8, "t", default);
            }
            """);
    }

    [Fact]
    public void ANullableTypeParameter_CompilesWithoutWarnings()
    {
        AssertCompilesCleanly(Header + """

            public class S
            {
                [LlmCached]
                public Task<string> AskAsync<T, U>(T? one, U? other, IEnumerable<T?> many) where U : class => Task.FromResult("");
            }
            public static class Calls
            {
                public static Task<string> Go(S s) => s.AskAsync<int, string>(1, null, [2]);
            }
            """);
    }

    [Theory]
    [InlineData("file static class S { [LlmCached] public static Task<string> AskAsync(string x) => Task.FromResult(x); }", "S.AskAsync(\"x\")")]
    [InlineData("file class O { public static class S { [LlmCached] public static Task<string> AskAsync(string x) => Task.FromResult(x); } }", "Task.FromResult(\"\")")]
    public void AFileLocalTypeInTheSignature_IsLLMC009_NotBrokenGeneratedCode(string declaration, string call)
    {
        string source = Header + "\n" + declaration + "\nstatic class Calls { public static object Go() => " + call + "; }\n";
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(result.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.Analyze(source), d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Equal("LLMC009", diagnostic.Id);
        Assert.Contains("file-local type", diagnostic.GetMessage(), StringComparison.Ordinal);
    }
}
