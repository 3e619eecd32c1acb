using System.Text.Json;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>llmcache.manifest.json as the build writes it (this project's and ChatDemo's), and <c>llmcache list</c> over it.</summary>
public sealed class ManifestTests
{
    private static string RepoRoot()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "LlmCache.Generators.sln")))
        {
            folder = Path.GetDirectoryName(folder);
        }
        return folder ?? throw new InvalidOperationException("repository root not found");
    }

    // This assembly's configuration folder (bin/Release/net10.0/ → Release): ChatDemo was built the same way, as a reference.
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    [Fact]
    public void TheBuild_WritesThisProjectsManifest_WithEveryCachedMethod()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "llmcache.manifest.json");
        Assert.True(File.Exists(path), path);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = manifest.RootElement;
        Assert.Equal(1, root.GetProperty("llmcacheManifest").GetInt32());
        Assert.Equal("LlmCache.Cli.Tests", root.GetProperty("assembly").GetString());
        Dictionary<string, JsonElement> methods = root.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(3, methods.Count);

        JsonElement answer = methods["LlmCache.Cli.Tests.SupportBot.AnswerAsync"];
        Assert.Equal("01:00:00", answer.GetProperty("ttl").GetString());
        Assert.Equal(["support"], answer.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        // Settings left at the runtime's default are left out of the manifest.
        Assert.False(answer.TryGetProperty("namespace", out _));
        Assert.False(answer.TryGetProperty("failSafe", out _));
        Assert.False(answer.TryGetProperty("semantic", out _));
        Assert.Equal(16, answer.GetProperty("fingerprint").GetString()!.Length);
        Assert.Equal("LlmCache.Cli.Tests.SupportBot.AnswerAsync." + answer.GetProperty("fingerprint").GetString(), answer.GetProperty("id").GetString());
        // Every call of AnswerAsync in this project's sources is intercepted.
        int calls = Directory.GetFiles(Path.Combine(RepoRoot(), "tests", "LlmCache.Cli.Tests"), "*.cs")
            .Where(f => !f.EndsWith(nameof(ManifestTests) + ".cs", StringComparison.Ordinal)) // this file only names the pattern
            .Sum(f => File.ReadAllText(f).Split(".AnswerAsync(").Length - 1);
        Assert.True(calls > 0);
        Assert.Equal(calls, answer.GetProperty("callSites").GetInt32());

        JsonElement invoice = methods["LlmCache.Cli.Tests.SupportBot.InvoiceAsync"];
        Assert.Equal("02:00:00", invoice.GetProperty("ttl").GetString());
        Assert.Equal("1.00:00:00", invoice.GetProperty("failSafe").GetString());
        Assert.Equal("customer", methods["LlmCache.Cli.Tests.SupportBot.PersonalAsync"].GetProperty("tenantParameter").GetString());
        Assert.Equal(["question"], methods["LlmCache.Cli.Tests.SupportBot.PersonalAsync"].GetProperty("keyedParameters").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task ChatDemosBuildOutput_HoldsItsManifest_AndListReadsIt_FromTheFileAndFromTheAssembly()
    {
        string output = Path.Combine(RepoRoot(), "samples", "ChatDemo", "bin", Configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "llmcache.manifest.json")), output);

        JsonElement fromFile = await CliTestKit.JsonAsync(0, "list", "--manifest", output);
        Assert.Equal("ChatDemo", fromFile.GetProperty("assembly").GetString());
        JsonElement[] methods = [.. fromFile.GetProperty("methods").EnumerateArray()];
        Assert.Equal(2, methods.Length);
        JsonElement method = Assert.Single(methods, m => m.GetProperty("name").GetString() == "ChatDemo.SupportAgent.AnswerAsync");
        Assert.Equal(JsonValueKind.Null, method.GetProperty("semantic").ValueKind);
        JsonElement semantic = Assert.Single(methods, m => m.GetProperty("name").GetString() == "ChatDemo.SupportAgent.AnswerAnyWordingAsync")
            .GetProperty("semantic");
        Assert.Equal("messages", semantic.GetProperty("parameter").GetString());
        Assert.Equal("lastUserMessage", semantic.GetProperty("compares").GetString());
        Assert.Equal("01:00:00", method.GetProperty("ttl").GetString());
        Assert.Equal(["support"], method.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(method.GetProperty("exported").GetBoolean());
        Assert.True(method.GetProperty("callSites").GetInt32() >= 1);

        JsonElement fromAssembly = await CliTestKit.JsonAsync(0, "list", "--manifest", Path.Combine(output, "ChatDemo.dll"));
        Assert.Equal(fromFile.GetProperty("methods").GetRawText(), fromAssembly.GetProperty("methods").GetRawText());

        (int exit, string text, _) = await CliTestKit.RunAsync("list", "--manifest", output);
        Assert.Equal(0, exit);
        Assert.Contains("ChatDemo.SupportAgent.AnswerAsync", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithoutAManifest_IsExitCode2()
    {
        (int exit, _, string error) = await CliTestKit.RunAsync("list", "--manifest", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.Contains("llmcache.manifest.json", error, StringComparison.Ordinal);
    }
}
