using LlmCache.Generators;
using LlmCache.Testing;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>
/// <c>[assembly: LlmCacheCalls]</c> over a method of another assembly (<see cref="FakeSdk"/>): problems are
/// reported on the attribute, with the exact span the IDE underlines.
/// </summary>
public sealed class CallsAnalyzerTests
{
    [Fact]
    public Task LLMC016_UnknownMember() => Verify.AnalyzerWith("""
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "CompletAsync")|}]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC016_PropertyFieldAndEvent() => Verify.AnalyzerWith("""
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), nameof(FakeSdk.ChatClient.Model))|}]
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "DefaultModel")|}]
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "Completed")|}]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC016_NoAwaitableResult_OrNoSelectedOverload_OrOpenGeneric() => Verify.AnalyzerWith("""
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "Complete")|}]
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "CompleteAsync", ParameterTypes = [typeof(int)])|}]
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.Pager<>), "NextAsync")|}]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC016_MessageSaysWhy() => Verify.AnalyzerExpectingWith("""
        [assembly: {|#0:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "Completed")|}]
        """, [FakeSdk.Reference],
        new DiagnosticResult(DiagnosticDescriptors.InvalidCallsTarget).WithLocation(0)
            .WithArguments("'FakeSdk.ChatClient.Completed' is an event; only method calls can be cached"));

    [Fact]
    public Task LLMC016_Negative_CacheableMethods() => Verify.AnalyzerWith("""
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "CompleteAsync", Ttl = "1h", Tags = ["sdk"])]
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "Translate")]
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ICompletions), nameof(FakeSdk.ICompletions.CreateAsync), Namespace = "v2")]
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.Moderation), "CheckAsync", ParameterTypes = [typeof(string), typeof(CancellationToken)])]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC016_SecondAttributeForTheSameMethod() => Verify.AnalyzerWith("""
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "SendAsync", Ttl = "1h")]
        [assembly: {|LLMC016:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "SendAsync", Ttl = "2h")|}]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC004_UnkeyableParameter_AtTheAttribute() => Verify.AnalyzerWith("""
        [assembly: {|LLMC004:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "RewriteAsync")|}]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC004_Negative_IgnoredParameter() => Verify.AnalyzerWith("""
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "RewriteAsync", IgnoreParams = ["filter"])]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC001_LLMC002_AtTheirArguments() => Verify.AnalyzerWith("""
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "SendAsync", IgnoreParams = [{|LLMC001:"promt"|}])]
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.Moderation), "CheckAsync", {|LLMC002:Ttl = "soon"|})]
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC008_MethodGroupOfACachedSdkMethod() => Verify.AnalyzerWith("""
        [assembly: LlmCache.LlmCacheCalls(typeof(FakeSdk.Moderation), "CheckAsync")]

        static class S
        {
            internal static Func<string, CancellationToken, Task<bool>> Check() => {|LLMC008:FakeSdk.Moderation.CheckAsync|};

            internal static Func<string, Task<bool>> Fixed() => text => FakeSdk.Moderation.CheckAsync(text);
        }
        """, FakeSdk.Reference);

    [Fact]
    public Task LLMC011_CountsTheCallSitesOfEachOverload_AtTheAttribute()
    {
        var test = new CSharpAnalyzerTest<CallSiteCountAnalyzer, DefaultVerifier>
        {
            TestCode = Verify.Usings + """
                [assembly: {|#0:LlmCache.LlmCacheCalls(typeof(FakeSdk.ChatClient), "Translate")|}]
                [assembly: {|#1:LlmCache.LlmCacheCalls(typeof(FakeSdk.ICompletions), "CreateAsync")|}]

                static class S
                {
                    internal static async Task Run(FakeSdk.ChatClient client, FakeSdk.ICompletions completions)
                    {
                        await client.Translate("a", "fr", default);
                        await client.Translate("b", "fr", default);
                        client.Translate("c", "fr");
                        await completions.CreateAsync("d");
                    }
                }
                """,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(Verify.References);
        test.TestState.AdditionalReferences.Add(FakeSdk.Reference);
        // The synchronous Translate is neither cached nor counted.
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.InterceptedCallSites).WithLocation(0).WithArguments("ChatClient.Translate", "2"));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(DiagnosticDescriptors.InterceptedCallSites).WithLocation(1).WithArguments("ICompletions.CreateAsync", "1"));
        return test.RunAsync();
    }
}
