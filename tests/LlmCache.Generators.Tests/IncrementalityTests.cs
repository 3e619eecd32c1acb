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
