using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>A positive and a negative case for every rule.</summary>
public sealed class AnalyzerTests
{
    [Fact]
    public Task LLMC001_UnknownIgnoredParameter() => Verify.Analyzer("""
        class S
        {
            [LlmCached(IgnoreParams = [{|LLMC001:"usr"|}])]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC001_Negative_KnownParameter() => Verify.Analyzer("""
        class S
        {
            [LlmCached(IgnoreParams = ["user"])]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC002_InvalidTtl() => Verify.Analyzer("""
        class S
        {
            [LlmCached({|LLMC002:Ttl = "5 minutes"|})]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC002_Negative_ValidTtls() => Verify.Analyzer("""
        class S
        {
            [LlmCached(Ttl = "5m")] internal Task<string> A(string p) => Task.FromResult(p);
            [LlmCached(Ttl = "1.02:03:04")] internal Task<string> B(string p) => Task.FromResult(p);
            [LlmCached(Ttl = "7d")] internal Task<string> C(string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task LLMC003_UncacheableReturnType() => Verify.Analyzer("""
        class S
        {
            [LlmCached] internal Task {|LLMC003:A|}(string p) => Task.CompletedTask;
            [LlmCached] internal void {|LLMC003:B|}(string p) { }
            [LlmCached] internal string {|LLMC003:C|}(string p) => p;
        }
        """);

    [Fact]
    public Task LLMC003_Negative_AwaitableResults() => Verify.Analyzer("""
        class S
        {
            [LlmCached] internal Task<int> A(string p) => Task.FromResult(1);
            [LlmCached] internal ValueTask<int> B(string p) => new(1);
            [LlmCached] internal async IAsyncEnumerable<int> C(string p) { await Task.Yield(); yield return 1; }
        }
        """);

    [Fact]
    public Task LLMC004_UnkeyableParameter() => Verify.Analyzer("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt, System.IO.Stream {|LLMC004:body|}, Func<int> {|LLMC004:callback|}) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC004_Negative_IgnoredOrCustom() => Verify.Analyzer("""
        sealed class Secret : ICacheKeyWritable
        {
            public void WriteCacheKey(KeyWriter writer) => writer.WriteString("s");
        }
        class S
        {
            [LlmCached(IgnoreParams = ["body"])]
            internal Task<string> AskAsync(string prompt, System.IO.Stream body, Secret secret) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC005_VolatileInputs() => Verify.Analyzer("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt, string {|LLMC005:requestId|}, DateTime {|LLMC005:sentAt|}, Guid? {|LLMC005:marker|}, string {|LLMC005:trace_id|}) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC005_Negative_VolatileInputsIgnored() => Verify.Analyzer("""
        class S
        {
            [LlmCached(IgnoreParams = ["requestId", "sentAt"])]
            internal Task<string> AskAsync(string prompt, string requestId, DateTime sentAt, CancellationToken ct) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC006_AnswerShapingInputIgnored() => Verify.Analyzer("""
        class S
        {
            [LlmCached(IgnoreParams = [{|LLMC006:"model"|}, {|LLMC006:"options"|}, {|LLMC006:"history"|}, "user"])]
            internal Task<string> AskAsync(string model, ChatOptions? options, IList<ChatMessage> history, string user) => Task.FromResult(model);
        }
        """);

    [Fact]
    public Task LLMC006_Negative_IgnoringOnlyTheUser() => Verify.Analyzer("""
        class S
        {
            [LlmCached(IgnoreParams = ["user"])]
            internal Task<string> AskAsync(string model, ChatOptions? options, IList<ChatMessage> history, string user) => Task.FromResult(model);
        }
        """);

    [Fact]
    public Task LLMC007_UnmarkedTenant() => Verify.Analyzer("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string {|LLMC007:tenantId|}, string prompt) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC007_Negative_MarkedTenant() => Verify.Analyzer("""
        class S
        {
            [LlmCached(Tenant = "tenantId")]
            internal Task<string> AskAsync(string tenantId, string prompt) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC008_MethodGroupBypassesTheCache() => Verify.Analyzer("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(prompt);

            internal Func<string, Task<string>> Make() => {|LLMC008:AskAsync|};
            internal Task<string[]> All(string[] prompts) => Task.WhenAll(System.Linq.Enumerable.Select(prompts, {|LLMC008:AskAsync|}));
        }
        """);

    [Fact]
    public Task LLMC008_Negative_Lambda() => Verify.Analyzer("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt) => Task.FromResult(prompt);

            internal Func<string, Task<string>> Make() => p => AskAsync(p);
        }
        """);

    [Fact]
    public Task LLMC009_Unreachable() => Verify.Analyzer("""
        class S
        {
            [LlmCached] private Task<string> {|LLMC009:A|}(string p) => Task.FromResult(p);
        }
        class G<T>
        {
            [LlmCached] internal Task<string> {|LLMC009:B|}(string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task LLMC009_Negative_InternalInAClass() => Verify.Analyzer("""
        class S
        {
            [LlmCached] internal Task<string> A(string p) => Task.FromResult(p);
            [LlmCached] internal static Task<string> B(string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task LLMC010_PublicCachedMethod() => Verify.Analyzer("""
        public class S
        {
            [LlmCached] public Task<string> {|LLMC010:A|}(string p) => Task.FromResult(p);
        }
        """, "LLMC010");

    [Fact]
    public Task LLMC010_Negative_InternalType() => Verify.Analyzer("""
        internal class S
        {
            [LlmCached] public Task<string> A(string p) => Task.FromResult(p);
        }
        """, "LLMC010");

    [Fact]
    public Task LLMC011_SummaryCountsCallSites() => Summary();

    private static Task Summary()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<LlmCache.Generators.CallSiteCountAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = Verify.Usings + """
                class S
                {
                    [LlmCached] internal Task<string> {|#0:A|}(string p) => Task.FromResult(p);
                    [LlmCached] internal Task<string> {|#1:B|}(string p) => Task.FromResult(p);
                    internal async Task Run() { await A("x"); await A("y"); }
                }
                """,
            ReferenceAssemblies = new Microsoft.CodeAnalysis.Testing.ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(Verify.References);
        test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(LlmCache.Generators.DiagnosticDescriptors.InterceptedCallSites).WithLocation(0).WithArguments("S.A", "2"));
        test.ExpectedDiagnostics.Add(new Microsoft.CodeAnalysis.Testing.DiagnosticResult(LlmCache.Generators.DiagnosticDescriptors.InterceptedCallSites).WithLocation(1).WithArguments("S.B", "0"));
        return test.RunAsync();
    }

    [Fact]
    public Task LLMC012_InvalidNamespace() => Verify.Analyzer("""
        class S
        {
            [LlmCached({|LLMC012:Namespace = "a b"|})] internal Task<string> A(string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task LLMC013_InvalidTenant() => Verify.Analyzer("""
        class S
        {
            [LlmCached({|LLMC013:Tenant = "tenant"|})] internal Task<string> A(string tenantId, string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task LLMC012_LLMC013_Negative() => Verify.Analyzer("""
        class S
        {
            [LlmCached(Namespace = "v2.1_beta-3", Tenant = "org")] internal Task<string> A(string org, string p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task NoDiagnostics_InGeneratedCode()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<LlmCache.Generators.LlmCachedAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            ReferenceAssemblies = new Microsoft.CodeAnalysis.Testing.ReferenceAssemblies("net10.0"),
        };
        // A requestId in the key, a method group and a public method: each would be reported in user code.
        test.TestState.Sources.Add(("Generated.g.cs", "// <auto-generated/>\n" + Verify.Usings + """
            public class S
            {
                [LlmCached] public Task<string> A(string requestId) => Task.FromResult(requestId);
                internal Func<string, Task<string>> F() => A;
            }
            """));
        test.TestState.AdditionalReferences.AddRange(Verify.References);
        return test.RunAsync();
    }
}
