using System.Text.Json;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>Cached methods whose entries the CLI tests look for, purge and copy.</summary>
public sealed class SupportBot(LlmCacheRuntime cache)
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h", Tags = ["support"])]
    public Task<string> AnswerAsync(string question)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult("answer to " + question);
    }

    [LlmCached(Ttl = "2h", Tags = ["billing"], FailSafe = "1d")]
    public Task<string> InvoiceAsync(string question)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult("invoice for " + question);
    }

    [LlmCached(Ttl = "1h", Tenant = "customer")]
    public Task<string> PersonalAsync(string customer, string question)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(customer + ": " + question);
    }
}

/// <summary>Runs the CLI in process and writes the app configuration it reads.</summary>
internal static class CliTestKit
{
    public const string Namespace = "clitest";

    public static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await CliApp.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs with --json and parses what it wrote; the exit code must be <paramref name="expectedExit"/>.</summary>
    public static async Task<JsonElement> JsonAsync(int expectedExit, params string[] args)
    {
        (int exit, string output, string error) = await RunAsync([.. args, "--json"]);
        Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}; stderr: {error}; stdout: {output}");
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>An appsettings.json with an LlmCache section holding the given tier sections.</summary>
    public static string WriteConfig(string folder, string? disk = null, string? redis = null, string? s3 = null, string @namespace = Namespace,
        string name = "appsettings.json")
    {
        Directory.CreateDirectory(folder);
        var tiers = new List<string>();
        if (disk is not null)
        {
            tiers.Add($"\"Disk\": {{ \"Enabled\": true, \"Directory\": {JsonSerializer.Serialize(disk)} }}");
        }
        if (redis is not null)
        {
            tiers.Add($"\"Redis\": {{ \"Enabled\": true, {redis} }}");
        }
        if (s3 is not null)
        {
            tiers.Add($"\"S3\": {{ \"Enabled\": true, {s3} }}");
        }
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, $"{{ \"LlmCache\": {{ \"Namespace\": \"{@namespace}\"{string.Concat(tiers.Select(t => ", " + t))} }} }}");
        return path;
    }

    public static LlmCacheRuntime Runtime(string @namespace = Namespace, params Microsoft.Extensions.Caching.Distributed.IDistributedCache[] tiers)
    {
        var options = new LlmCacheOptions
        {
            Namespace = @namespace,
            UseAsDefault = false,
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(5) },
        };
        foreach (var tier in tiers)
        {
            options.Tiers.Add(tier);
        }
        return new LlmCacheRuntime(options);
    }

    public static string TempFolder() => Path.Combine(Path.GetTempPath(), "llmcache-cli-" + Guid.NewGuid().ToString("N"));
}
