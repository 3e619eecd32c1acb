using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>Every code fix applied and its result compared.</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task LLMC001_UsesTheClosestName() => Verify.CodeFix("""
        class S
        {
            [LlmCached(IgnoreParams = [{|LLMC001:"usr"|}])]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(IgnoreParams = ["user"])]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC001_RemovesTheEntry() => Verify.CodeFix("""
        class S
        {
            [LlmCached(Ttl = "1h", IgnoreParams = [{|LLMC001:"usr"|}])]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(Ttl = "1h")]
            internal Task<string> AskAsync(string prompt, string user) => Task.FromResult(prompt);
        }
        """, index: 1);

    [Fact]
    public Task LLMC004_IgnoresTheParameter() => Verify.CodeFix("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string prompt, System.IO.Stream {|LLMC004:body|}) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(IgnoreParams = ["body"])]
            internal Task<string> AskAsync(string prompt, System.IO.Stream body) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC005_AddsToExistingIgnoreParams() => Verify.CodeFix("""
        class S
        {
            [LlmCached(IgnoreParams = ["user"])]
            internal Task<string> AskAsync(string prompt, string user, string {|LLMC005:requestId|}) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(IgnoreParams = ["user", "requestId"])]
            internal Task<string> AskAsync(string prompt, string user, string requestId) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC006_KeysTheInputAgain() => Verify.CodeFix("""
        class S
        {
            [LlmCached(IgnoreParams = [{|LLMC006:"model"|}, "user"])]
            internal Task<string> AskAsync(string model, string user) => Task.FromResult(model);
        }
        """, """
        class S
        {
            [LlmCached(IgnoreParams = ["user"])]
            internal Task<string> AskAsync(string model, string user) => Task.FromResult(model);
        }
        """);

    [Fact]
    public Task LLMC007_MarksTheTenant() => Verify.CodeFix("""
        class S
        {
            [LlmCached(Ttl = "1h")]
            internal Task<string> AskAsync(string {|LLMC007:orgId|}, string prompt) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(Ttl = "1h", Tenant = "orgId")]
            internal Task<string> AskAsync(string orgId, string prompt) => Task.FromResult(prompt);
        }
        """);

    [Fact]
    public Task LLMC007_OrIgnoresIt() => Verify.CodeFix("""
        class S
        {
            [LlmCached]
            internal Task<string> AskAsync(string {|LLMC007:orgId|}, string prompt) => Task.FromResult(prompt);
        }
        """, """
        class S
        {
            [LlmCached(IgnoreParams = ["orgId"])]
            internal Task<string> AskAsync(string orgId, string prompt) => Task.FromResult(prompt);
        }
        """, index: 1);
}
