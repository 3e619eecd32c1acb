using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static LlmCache.Generators.LlmCachedGenerator;

namespace LlmCache.Generators.Tests;

/// <summary>Edits that do not touch a cached method leave its key-builder steps cached.</summary>
public sealed class IncrementalityTests
{
    internal const string Service = """
        using System.Threading.Tasks;
        using LlmCache;

        namespace Demo;

        public sealed class Service
        {
            [LlmCached(Ttl = "1h")]
            public Task<string> AskAsync(string prompt) => Task.FromResult(prompt);

            public async Task Run()
            {
                await AskAsync("hello");
            }
        }
        """;

    private const string Unrelated = """
        namespace Demo;

        public static class Unrelated
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    [Fact]
    public void UnrelatedEdit_LeavesEveryStepCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File1.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Unrelated.Replace("x * 2", "x * 3 + Twice(0)"), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(run, TrackingNames.Methods, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.MethodModels, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.MethodNames, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.Emission, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void CommentBelowACallSite_KeepsTheMethodModel_ButReEmitsTheMovedLocation()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File0.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Service.Replace("await AskAsync(\"hello\");", "await AskAsync(\"hello\");\n        // a comment"), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // The method was parsed again (its file changed) but its model is equal: nothing downstream of it re-runs.
        AssertAll(run, TrackingNames.MethodModels, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.MethodNames, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        // The call site's encoded location carries the file's content hash, so it changes.
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void RealChange_ModifiesTheMethodModel()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File0.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Service.Replace("Ttl = \"1h\"", "Ttl = \"2h\""), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(run, TrackingNames.MethodModels, IncrementalStepRunReason.Modified);
        Assert.Contains("FromTicks(72000000000L)", run.GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);
    }

    // [assembly: LlmCacheCalls] in a file of its own, its call site in another (see FakeSdk).
    private const string CallsAttribute = """
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "SendAsync", Ttl = "1h")]
        """;

    private const string CallsCaller = """
        using System.Threading.Tasks;

        namespace Demo;

        public static class Caller
        {
            public static Task<FakeSdk.Completion> Run(FakeSdk.ChatClient client) => client.SendAsync("hello");
        }
        """;

    [Fact]
    public void Calls_UnrelatedEdit_LeavesTheCalledMethodsAndTheEmissionCached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstCallsRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File2.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            Unrelated.Replace("x * 2", "x * 3 + Twice(0)"), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(run, TrackingNames.CalledMethods, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.MethodNames, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.Emission, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Calls_CommentBelowTheCallSite_KeepsTheCalledMethods_ButReEmitsTheMovedLocation()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstCallsRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File1.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            CallsCaller.Replace("client.SendAsync(\"hello\");", "client.SendAsync(\"hello\");\n    // a comment"), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(run, TrackingNames.CalledMethods, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Calls_ChangedTtl_ModifiesTheCalledMethods()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstCallsRun();
        SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("File0.cs", StringComparison.Ordinal));
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(
            CallsAttribute.Replace("Ttl = \"1h\"", "Ttl = \"2h\""), GeneratorHarness.ParseOptions, old.FilePath));

        GeneratorRunResult run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAll(run, TrackingNames.CalledMethods, IncrementalStepRunReason.Modified);
        AssertAll(run, TrackingNames.Emission, IncrementalStepRunReason.Modified);
        string text = run.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("FromTicks(72000000000L)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("FromTicks(36000000000L)", text, StringComparison.Ordinal);
    }

    private const string LongService = """
        using System.Threading.Tasks;
        using LlmCache;

        namespace Demo;

        public sealed partial class Numbers
        {
            [LlmCached(Ttl = "1h")]
            internal Task<string> AskAsync(long n) => Task.FromResult(n.ToString());
        }
        """;

    private const string LongCaller = """
        using System.Threading.Tasks;

        namespace Demo;

        public static class NumbersCaller
        {
            public static Task<string> Run(Numbers numbers) => numbers.AskAsync(1);
        }
        """;

    private const string LongOther = """
        using System.Threading.Tasks;

        namespace Demo;

        public sealed partial class Numbers
        {
            internal static int Twice(int x) => x * 2;
        }
        """;

    [Fact]
    public void CallSitesOfAnUnchangedFile_AreKeptAfterABodyEdit_AndBoundAgainAfterADeclarationEdit()
    {
        const string Intercepts = "[LlmcAt(";
        CSharpCompilation compilation = GeneratorHarness.Compile(LongService, LongCaller, LongOther);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Contains(Intercepts, driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString(), StringComparison.Ordinal);

        // A body edit in another file: the caller's call site, kept as bound, is what a fresh run binds.
        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation bodyEdit = compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText(LongOther.Replace("x * 2", "x * 3"), GeneratorHarness.ParseOptions, other.FilePath));
        driver = driver.RunGenerators(bodyEdit);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Unchanged);
        Assert.Equal(FreshOutput(LongService, LongCaller, LongOther.Replace("x * 2", "x * 3")), run.GeneratedSources.Single().SourceText.ToString());

        // A declaration in that file: an overload the unchanged caller now binds to, which is not cached.
        string withOverload = LongOther.Replace("x * 2", "x * 3")
            .Replace("internal static int Twice", "internal Task<string> AskAsync(int n) => Task.FromResult(\"int\");\n    internal static int Twice");
        CSharpCompilation overload = bodyEdit.ReplaceSyntaxTree(bodyEdit.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(withOverload, GeneratorHarness.ParseOptions, other.FilePath));
        driver = driver.RunGenerators(overload);
        run = driver.GetRunResult().Results.Single();
        AssertAll(run, TrackingNames.CallSites, IncrementalStepRunReason.Modified);
        string text = run.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain(Intercepts, text, StringComparison.Ordinal);
        Assert.Equal(FreshOutput(LongService, LongCaller, withOverload), text);
    }

    /// <summary>The output of a first run over newly parsed trees: nothing bound before can be reused.</summary>
    private static string FreshOutput(params string[] sources) =>
        GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(sources)).GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstCallsRun()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile([LlmCache.Testing.FakeSdk.Reference], CallsAttribute, CallsCaller, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Contains("FromTicks(36000000000L)", Assert.Single(first.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
        return (driver, compilation);
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Service, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources);
        return (driver, compilation);
    }

    private static void AssertAll(GeneratorRunResult run, string step, params IncrementalStepRunReason[] allowed)
    {
        Assert.True(run.TrackedSteps.TryGetValue(step, out var steps), $"step {step} did not run");
        IncrementalStepRunReason[] reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, allowed));
    }
}
