using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using LlmCache.Generators;
using LlmCache.Generators.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LlmCache.Analyzers.Tests;

/// <summary>
/// Microsoft.CodeAnalysis.Testing, offline: reference assemblies from the Basic.Reference.Assemblies
/// package and the runtime's assemblies from this project's output, all restored with the project.
/// </summary>
internal static class Verify
{
    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(LlmCache.LlmCacheRuntime).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.AI.ChatMessage).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    ];

    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;
        using Microsoft.Extensions.AI;

        """;

    /// <summary>Runs the analyzer; the markup in <paramref name="source"/> states every diagnostic expected.</summary>
    public static Task Analyzer(string source, params string[] alsoCheck) => Run(source, alsoCheck, [], [], []);

    /// <summary>As <see cref="Analyzer(string, string[])"/>, compiled against <paramref name="references"/> too (a library built from source, for instance).</summary>
    public static Task AnalyzerWith(string source, params MetadataReference[] references) => Run(source, [], references, [], []);

    /// <summary>As <see cref="Analyzer(string, string[])"/>, with diagnostics stated in full (their messages too) besides the markup.</summary>
    public static Task AnalyzerExpecting(string source, params DiagnosticResult[] expected) => Run(source, [], [], [], expected);

    /// <summary>As <see cref="AnalyzerExpecting(string, DiagnosticResult[])"/>, compiled against <paramref name="references"/> too.</summary>
    public static Task AnalyzerExpectingWith(string source, MetadataReference[] references, params DiagnosticResult[] expected) =>
        Run(source, [], references, [], expected);

    /// <summary>As <see cref="AnalyzerExpecting(string, DiagnosticResult[])"/>, with more files (a name ending in <c>.g.cs</c> makes one generated code).</summary>
    public static Task AnalyzerExpectingWithFiles(string source, (string Name, string Text)[] files, params DiagnosticResult[] expected) =>
        Run(source, [], [], files, expected);

    private static Task Run(string source, string[] alsoCheck, MetadataReference[] references, (string Name, string Text)[] files,
        DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<LlmCachedAnalyzer, DefaultVerifier>
        {
            TestCode = Usings + source,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        foreach ((string name, string text) in files)
        {
            test.TestState.Sources.Add((name, Usings + text));
        }
        test.ExpectedDiagnostics.AddRange(expected);
        Prepare(test.TestState, test.DisabledDiagnostics, alsoCheck);
        test.TestState.AdditionalReferences.AddRange(references);
        return test.RunAsync();
    }

    /// <summary>Applies the code fix with <paramref name="index"/> and compares the result with <paramref name="fixedSource"/>.</summary>
    public static Task CodeFix(string source, string fixedSource, int index = 0) =>
        CodeFix<LlmCachedCodeFixProvider>(source, fixedSource, index);

    /// <summary>As <see cref="CodeFix(string, string, int)"/>, with the given fix provider.</summary>
    public static Task CodeFix<TFix>(string source, string fixedSource, int index = 0)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<LlmCachedAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            CodeActionIndex = index,
        };
        Prepare(test.TestState, test.DisabledDiagnostics, []);
        Prepare(test.FixedState, test.DisabledDiagnostics, [], addDisabled: false);
        return test.RunAsync();
    }

    private static void Prepare(SolutionState state, List<string> disabled, string[] alsoCheck, bool addDisabled = true)
    {
        state.AdditionalReferences.AddRange(References);
        if (!addDisabled)
        {
            return;
        }
        // The informational and summary rules fire on almost every snippet; tests that are about them opt in.
        foreach (string id in new[] { "LLMC010", "LLMC011" })
        {
            if (!alsoCheck.Contains(id))
            {
                disabled.Add(id);
            }
        }
    }
}
