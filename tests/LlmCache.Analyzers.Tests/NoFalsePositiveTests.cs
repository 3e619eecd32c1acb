using Basic.Reference.Assemblies;
using LlmCache.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>The analyzer stays silent on correct code: the sample and the runtime's behaviour tests.</summary>
public sealed class NoFalsePositiveTests
{
    [Theory]
    [InlineData("samples/ChatDemo")]
    [InlineData("tests/LlmCache.Tests")]
    public async Task CorrectCode_GetsNoWarningOrError(string folder)
    {
        string[] files = LlmCache.Testing.ProjectSources.Files(folder);
        Assert.NotEmpty(files);
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText("""
            global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;
            global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;
            """, parse, "GlobalUsings.cs"));
        IEnumerable<MetadataReference> references = Net100.References.All.Concat(
            Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
                .Where(d => !Path.GetFileName(d).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
                .Select(d => (MetadataReference)MetadataReference.CreateFromFile(d)));
        CSharpCompilation compilation = CSharpCompilation.Create(Path.GetFileName(folder), trees, references,
            new CSharpCompilationOptions(folder.StartsWith("samples", StringComparison.Ordinal) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

        // Without the generator the typed key API is missing; anything else failing to bind would weaken the check.
        Diagnostic[] errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && !d.GetMessage().Contains("LlmCacheKeys", StringComparison.Ordinal)
                && !d.GetMessage().Contains("'Generated'", StringComparison.Ordinal))
            .ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Take(10)));

        var analyzer = compilation.WithAnalyzers([new LlmCachedAnalyzer(), new CallSiteCountAnalyzer()]);
        var diagnostics = await analyzer.GetAnalyzerDiagnosticsAsync();
        Diagnostic[] problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        // The run really analyzed cached methods: the summary names them.
        Assert.Contains(diagnostics, d => d.Id == "LLMC011");
    }

    internal static string RepoRoot() => LlmCache.Testing.ProjectSources.RepoRoot();
}
