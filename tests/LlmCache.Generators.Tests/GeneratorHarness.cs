using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using LlmCache.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LlmCache.Generators.Tests;

/// <summary>
/// Runs the generator offline: reference assemblies come from the Basic.Reference.Assemblies package
/// and the runtime's own assemblies from this test's output folder, all restored with the project.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Preview)
        .WithFeatures([new("InterceptorsNamespaces", "LlmCache.Generated")]);

    private static readonly ImmutableArray<MetadataReference> s_references = BuildReferences();

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var references = new List<MetadataReference>(Net100.References.All);
        foreach (Type type in new[]
                 {
                     typeof(LlmCache.LlmCacheRuntime),
                     typeof(Microsoft.Extensions.AI.ChatMessage),
                     typeof(Microsoft.Extensions.Caching.Hybrid.HybridCache),
                     // Provider SDK results: System.ClientModel, BinaryData's assembly and OpenAI, from restored packages.
                     typeof(System.ClientModel.ClientResult),
                     typeof(BinaryData),
                     typeof(OpenAI.Chat.ChatCompletion),
                 })
        {
            references.Add(MetadataReference.CreateFromFile(type.Assembly.Location));
        }
        return [.. references];
    }

    public static CSharpCompilation Compile(params string[] sources) => Compile([], sources);

    /// <summary>As <see cref="Compile(string[])"/>, also referencing <paramref name="references"/> (an assembly built by the test, as a package's would be).</summary>
    public static CSharpCompilation Compile(IEnumerable<MetadataReference> references, params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            s_references.Concat(references),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>As <see cref="Compile(string[])"/>, against <paramref name="references"/> too.</summary>
    public static CSharpCompilation CompileWith(MetadataReference[] references, params string[] sources) => Compile(references, sources);

    /// <summary>Compiles <paramref name="source"/> into a library named <paramref name="name"/> and returns a reference to its image.</summary>
    public static MetadataReference Library(string name, string source)
    {
        CSharpCompilation library = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source, ParseOptions)], s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        }
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new LlmCachedGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>
    /// Runs the generator and returns the output compilation with its diagnostics and the generator's own.
    /// Every input also proves that the analyzer agrees with what was generated (<see cref="Agreement"/>).
    /// </summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Result) Run(params string[] sources) =>
        Run(Compile(sources));

    /// <summary>As <see cref="Run(string[])"/>, for a compilation built elsewhere.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Result) Run(Compilation input)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorDriverRunResult result = driver.GetRunResult();
        Agreement.Check(input, result);
        return (output, diagnostics, result);
    }

    /// <summary>Runs the generator over the sources, asserts that neither it nor the compiler reports a warning, and returns the generated text.</summary>
    public static string GenerateCleanly(params string[] sources)
    {
        var (output, generatorDiagnostics, result) = Run(sources);
        Assert.Empty(generatorDiagnostics);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        return Generated(result);
    }

    /// <summary>Runs the analyzer over the sources and returns its diagnostics.</summary>
    public static ImmutableArray<Diagnostic> Analyze(params string[] sources) => Analyze(Compile(sources));

    /// <summary>As <see cref="Analyze(string[])"/>, for a compilation built elsewhere.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation) =>
        compilation
            .WithAnalyzers(Analyzers())
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>The package's analyzers, as an IDE runs them: the rules and the call-site count (LLMC011), which a build skips.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers() => [new LlmCachedAnalyzer(), new CallSiteCountAnalyzer()];

    public static string Generated(GeneratorDriverRunResult result) =>
        string.Join("\n// ---- next file ----\n", result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName).Select(s => "// " + s.HintName + "\n" + s.SourceText));
}
