using System.Text.Json;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>The build manifest the generator puts into the assembly, as <c>[assembly: AssemblyMetadata("LlmCache.Manifest", json)]</c>.</summary>
public sealed class ManifestTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;

        namespace Demo;

        public sealed class Bot
        {
            [LlmCached(Ttl = "15m", Tags = ["say \"hi\"", @"back\slash"], Namespace = "bot-v2", FailSafe = "1d", Semantic = nameof(prompt), Similarity = 0.9)]
            public Task<string> AskAsync(string prompt, string tenantId, CancellationToken ct) => Task.FromResult(prompt);

            [LlmCached(Tenant = "tenantId")]
            public Task<string> PersonalAsync(string tenantId, string prompt) => Task.FromResult(prompt);
        }

        public static class Program
        {
            public static async Task Main()
            {
                var bot = new Bot();
                await bot.AskAsync("a", "t", default);
                await bot.AskAsync("b", "t", default);
                await bot.PersonalAsync("t", "c");
            }
        }
        """;

    private static JsonDocument Manifest(Compilation output)
    {
        AttributeData metadata = Assert.Single(output.Assembly.GetAttributes(),
            a => a.AttributeClass?.Name == "AssemblyMetadataAttribute" && (string?)a.ConstructorArguments[0].Value == "LlmCache.Manifest");
        return JsonDocument.Parse((string)metadata.ConstructorArguments[1].Value!);
    }

    [Fact]
    public void EveryCachedMethod_IsDescribed_WithItsSettingsAndCallSites_InValidJson()
    {
        var (output, diagnostics, _) = GeneratorHarness.Run(Source);
        Assert.Empty(diagnostics);
        using JsonDocument manifest = Manifest(output);
        JsonElement root = manifest.RootElement;
        Assert.Equal(1, root.GetProperty("llmcacheManifest").GetInt32());
        Assert.True(root.GetProperty("llmcacheManifestEnd").GetBoolean());
        JsonElement[] methods = [.. root.GetProperty("methods").EnumerateArray()];
        Assert.Equal(2, methods.Length);

        JsonElement ask = methods.Single(m => m.GetProperty("name").GetString() == "Demo.Bot.AskAsync");
        Assert.Equal("00:15:00", ask.GetProperty("ttl").GetString());
        Assert.Equal(["say \"hi\"", @"back\slash"], ask.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("bot-v2", ask.GetProperty("namespace").GetString());
        Assert.Equal("1.00:00:00", ask.GetProperty("failSafe").GetString());
        Assert.Equal(["prompt", "tenantId"], ask.GetProperty("keyedParameters").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, ask.GetProperty("callSites").GetInt32());
        Assert.Equal(ask.GetProperty("name").GetString() + "." + ask.GetProperty("fingerprint").GetString(), ask.GetProperty("id").GetString());
        JsonElement semantic = ask.GetProperty("semantic");
        Assert.Equal("prompt", semantic.GetProperty("parameter").GetString());
        Assert.Equal("text", semantic.GetProperty("compares").GetString());
        Assert.Equal(0.9, semantic.GetProperty("similarity").GetDouble());

        JsonElement personal = methods.Single(m => m.GetProperty("name").GetString() == "Demo.Bot.PersonalAsync");
        Assert.False(personal.TryGetProperty("ttl", out _)); // a setting left at the runtime's default is left out
        Assert.Equal("tenantId", personal.GetProperty("tenantParameter").GetString());
        Assert.Equal(1, personal.GetProperty("callSites").GetInt32());
        Assert.False(personal.TryGetProperty("semantic", out _));
    }
}
