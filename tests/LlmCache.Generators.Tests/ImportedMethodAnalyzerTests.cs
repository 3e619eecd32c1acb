using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>The analyzer on calls of a referenced library's public cached method (exported by the library's generator).</summary>
public sealed class ImportedMethodAnalyzerTests
{
    [Fact]
    public void AMethodGroupOfALibrarysCachedMethod_IsLLMC008_AndItsCallsAreNotCountedHere()
    {
        // The library, built with the generator: its public cached method is exported.
        var (libraryOutput, _, _) = GeneratorHarness.Run(GeneratorHarness.Compile("""
            using System.Threading.Tasks;
            using LlmCache;
            namespace Lib;
            public sealed class Assistant
            {
                [LlmCached] public Task<string> AskLibraryAsync(string question) => Task.FromResult(question);
            }
            """).WithAssemblyName("Lib"));
        using var image = new MemoryStream();
        Assert.True(libraryOutput.Emit(image).Success);
        MetadataReference library = MetadataReference.CreateFromImage(image.ToArray());

        ImmutableArray<Diagnostic> diagnostics = GeneratorHarness.Analyze(GeneratorHarness.Compile([library], """
            using System;
            using System.Threading.Tasks;
            using Lib;
            namespace App;
            public static class Calls
            {
                public static Task<string> Call(Assistant assistant) => assistant.AskLibraryAsync("q");
                public static Func<string, Task<string>> Group(Assistant assistant) => assistant.AskLibraryAsync;
            }
            """));

        Diagnostic group = Assert.Single(diagnostics, d => d.Id == "LLMC008");
        Assert.Equal("assistant.AskLibraryAsync", group.Location.SourceTree!.GetText().ToString(group.Location.SourceSpan));
        Assert.DoesNotContain(diagnostics, d => d.Id == "LLMC011"); // counted by the library that declares it
    }

    private const string GlobalAlias = "global using Cached = LlmCache.LlmCachedAttribute;";

    private const string AliasedMethod = """
        using System;
        using System.Threading.Tasks;
        namespace App;
        public sealed class Assistant
        {
            [Cached] internal Task<string> AskAliasedAsync(string question) => Task.FromResult(question);
        }
        public static class Calls
        {
            public static Task<string> Call(Assistant assistant) => assistant.AskAliasedAsync("q");
            public static Func<string, Task<string>> Group(Assistant assistant) => assistant.AskAliasedAsync;
        }
        """;

    [Fact]
    public void AnAliasedAttribute_IsStillSeenByTheAnalyzersNameFilter()
    {
        // The analyzer finds cached methods by their attribute's spelling before it binds anything (CachedNames): an alias
        // declared in another file must not hide one. Agreement (inside Run) holds the analyzer's LLMC011 count to the
        // generator's interceptors, and LLMC008 must see the method group.
        var (_, _, result) = GeneratorHarness.Run(GlobalAlias, AliasedMethod);
        Assert.Contains("[LlmcAt(", GeneratorHarness.Generated(result), StringComparison.Ordinal);
        ImmutableArray<Diagnostic> diagnostics = GeneratorHarness.Analyze(GlobalAlias, AliasedMethod);
        Assert.Single(diagnostics, d => d.Id == "LLMC008");
        Assert.Equal("1", Assert.Single(diagnostics, d => d.Id == "LLMC011").Properties[DiagnosticDescriptors.PropertyCallSites]);
    }
}
