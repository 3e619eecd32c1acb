using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using static LlmCache.Generators.LlmCachedGenerator;

namespace LlmCache.Generators.Tests;

/// <summary>
/// A project with 500 cached methods, 2,000 call sites and 5,000 other invocations: the generator
/// binds only invocations whose name is a cached method's, and an edit in a file without call sites
/// re-runs no key-builder step.
/// </summary>
public sealed class ScaleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Services = 50;
    private const int MethodsPerService = 10;
    private const int CallerFiles = 40;
    private const int CallsPerFile = 50;
    private const int OtherInvocationsPerFile = 125;

    internal static string[] Project()
    {
        var files = new List<string>();
        for (int s = 0; s < Services; s++)
        {
            var text = new StringBuilder();
            text.AppendLine("using System.Collections.Generic; using System.Threading.Tasks; using LlmCache;");
            text.AppendLine("namespace Scale;");
            text.AppendLine($"public sealed record Request{s}(string Prompt, int Level, List<string> Tags);");
            text.AppendLine($"internal sealed class Service{s}");
            text.AppendLine("{");
            for (int m = 0; m < MethodsPerService; m++)
            {
                text.AppendLine($"    [LlmCached(Ttl = \"{m + 1}m\")] internal Task<string> Ask{s}_{m}Async(Request{s} request, string model, double temperature) => Task.FromResult(model);");
            }
            text.AppendLine("    internal static int Helper(int x) => x + 1;");
            text.AppendLine("}");
            files.Add(text.ToString());
        }
        for (int f = 0; f < CallerFiles; f++)
        {
            var text = new StringBuilder();
            text.AppendLine("using System.Threading.Tasks;");
            text.AppendLine("namespace Scale;");
            text.AppendLine($"internal static class Callers{f}");
            text.AppendLine("{");
            text.AppendLine("    internal static async Task<int> RunAsync()");
            text.AppendLine("    {");
            text.AppendLine("        int total = 0;");
            for (int c = 0; c < CallsPerFile; c++)
            {
                int s = (f * CallsPerFile + c) % Services;
                int m = (f + c) % MethodsPerService;
                text.AppendLine($"        total += (await new Service{s}().Ask{s}_{m}Async(new Request{s}(\"p{c}\", {c}, [\"t\"]), \"gpt\", 0.{c % 10})).Length;");
            }
            for (int o = 0; o < OtherInvocationsPerFile; o++)
            {
                text.AppendLine($"        total += Service{o % Services}.Helper({o}) + System.Math.Max({o}, total);");
            }
            text.AppendLine("        return total;");
            text.AppendLine("    }");
            text.AppendLine("}");
            files.Add(text.ToString());
        }
        files.Add("namespace Scale; internal static class Plain { internal static int Value() => 1; }");
        return files.ToArray();
    }

    [Fact]
    public void LargeProject_BindsOnlyNameMatches_AndAnEditWithoutCallSitesReRunsNoKeyBuilder()
    {
        string[] sources = Project();
        CSharpCompilation compilation = GeneratorHarness.Compile(sources);
        var clock = Stopwatch.StartNew();
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        TimeSpan first = clock.Elapsed;
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        Assert.Null(run.Exception);
        Assert.Equal(Services * MethodsPerService, CountOf(run.GeneratedSources.Single().SourceText.ToString(), "internal static readonly LlmcMethod M = new("));

        // 2,000 calls of cached methods and 10,000 other invocations (Helper and Math.Max): only the 2,000 reach binding.
        int candidates = run.TrackedSteps[TrackingNames.CandidateCalls].SelectMany(s => s.Outputs).Count();
        int sites = run.TrackedSteps[TrackingNames.CallSites].SelectMany(s => s.Outputs).Sum(o => ((LlmCache.Generators.Model.EquatableArray<LlmCache.Generators.Model.CallSiteModel>)o.Value).Count);
        Assert.Equal(CallerFiles * CallsPerFile, candidates);
        Assert.Equal(CallerFiles * CallsPerFile, sites);

        // A one-character edit in the file without call sites.
        SyntaxTree plain = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(plain,
            CSharpSyntaxTree.ParseText(sources[^1].Replace("=> 1;", "=> 2;"), GeneratorHarness.ParseOptions, plain.FilePath));
        clock.Restart();
        driver = driver.RunGenerators(edited);
        TimeSpan second = clock.Elapsed;
        GeneratorRunResult rerun = driver.GetRunResult().Results.Single();

        IncrementalStepRunReason[] modelReasons = rerun.TrackedSteps[TrackingNames.MethodModels].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.Equal(Services * MethodsPerService, modelReasons.Length);
        Assert.All(modelReasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(rerun.TrackedSteps[TrackingNames.Emission].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        // Roslyn re-runs semantic transforms on a new compilation; what matters is that every model came out equal,
        // so no key builder or interceptor was generated again.
        Assert.All(rerun.TrackedSteps[TrackingNames.Methods].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.Equal(IncrementalStepRunReason.Unchanged, rerun.TrackedSteps[TrackingNames.CallSites].Single().Outputs.Single().Reason);
        output.WriteLine("first run steps: " + string.Join(", ", run.TrackedSteps.Select(p => $"{p.Key} {p.Value.Sum(s => s.ElapsedTime.TotalMilliseconds):F0} ms")));
        output.WriteLine($"first run {first.TotalMilliseconds:F0} ms, after the edit {second.TotalMilliseconds:F0} ms; " +
            string.Join(", ", rerun.TrackedSteps.Select(p => $"{p.Key} {p.Value.Sum(s => s.ElapsedTime.TotalMilliseconds):F0} ms")));
    }

    /// <summary>
    /// Issue #14's IDE budget: a one-character edit in a file without call sites costs the generator (driven as the IDE
    /// drives it, without step tracking) plus the analyzer on the edited open document at most 300 ms (median of 5
    /// edits; README). The bound asserted here is five times that, on the generator's CPU time (this thread's, where
    /// the platform says it; wall time elsewhere), so a machine busy with other test assemblies does not fail it while
    /// a regression to rebinding every call site (about 460 ms alone on an idle machine) still shows.
    /// An edit inside a method body of a file with 50 call sites re-binds that file only: it is printed beside it.
    /// </summary>
    [Fact]
    public async Task AnEditWithoutCallSites_StaysWithinTheIdeBudget()
    {
        string[] sources = Project();
        CSharpCompilation current = GeneratorHarness.Compile(sources);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new LlmCachedGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false)).RunGenerators(current);
        ImmutableArray<DiagnosticAnalyzer> analyzers = GeneratorHarness.Analyzers();

        async Task<(double Generator, double GeneratorCpu, double Document)> MeasureAsync(int file, string from, string to)
        {
            string path = current.SyntaxTrees.ElementAt(file).FilePath;
            var generator = new List<double>();
            var generatorCpu = new List<double>();
            var document = new List<double>();
            for (int i = 0; i <= 5; i++) // edit 0 warms the JIT
            {
                SyntaxTree old = current.SyntaxTrees.Single(t => t.FilePath == path);
                SyntaxTree edited = CSharpSyntaxTree.ParseText(sources[file].Replace(from, to + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";", StringComparison.Ordinal),
                    GeneratorHarness.ParseOptions, path);
                current = current.ReplaceSyntaxTree(old, edited);
                var clock = Stopwatch.StartNew();
                double cpuStart = ThreadCpuMilliseconds() ?? 0;
                driver = driver.RunGenerators(current);
                double generatorMs = clock.Elapsed.TotalMilliseconds;
                double generatorCpuMs = ThreadCpuMilliseconds() is { } cpuEnd ? cpuEnd - cpuStart : generatorMs;
                Assert.Null(driver.GetRunResult().Results.Single().Exception);

                var withAnalyzers = current.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions([]), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
                clock.Restart();
                var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(current.GetSemanticModel(edited), null, default);
                double documentMs = clock.Elapsed.TotalMilliseconds;
                Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
                if (i > 0)
                {
                    generator.Add(generatorMs);
                    generatorCpu.Add(generatorCpuMs);
                    document.Add(documentMs);
                }
            }
            return (PerfMeasurements.Median(generator), PerfMeasurements.Median(generatorCpu), PerfMeasurements.Median(document));
        }

        (double generatorMs, double generatorCpuMs, double documentMs) = await MeasureAsync(sources.Length - 1, "=> 1;", "=> ");
        (double callerGenerator, _, double callerDocument) = await MeasureAsync(Services, "int total = 0;", "int total = ");
        output.WriteLine($"edit without call sites (median of 5): generator {generatorMs:F0} ms ({generatorCpuMs:F0} ms CPU) + analyzer (open document) {documentMs:F0} ms = {generatorMs + documentMs:F0} ms; target 300 ms");
        output.WriteLine($"edit in a method body of a file with 50 call sites: generator {callerGenerator:F0} ms + analyzer (open document) {callerDocument:F0} ms = {callerGenerator + callerDocument:F0} ms");
        double total = generatorCpuMs + documentMs;
        Assert.True(total < 1500, $"an edit without call sites cost {total:F0} ms of CPU (target 300 ms, bound 1,500 ms)");
    }

    /// <summary>This thread's CPU time (Linux: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), or null elsewhere.</summary>
    private static double? ThreadCpuMilliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        return ClockGetTime(3, out TimeSpec time) == 0 ? time.Seconds * 1000.0 + time.Nanoseconds / 1e6 : null;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
