using System.Text.Json;
using LlmCache.Disk;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>The CLI against a real SQLite disk tier, written by a real runtime.</summary>
public sealed class DiskCliTests : IDisposable
{
    private readonly string _folder = CliTestKit.TempFolder();
    private readonly string _config;

    public DiskCliTests() => _config = CliTestKit.WriteConfig(_folder, disk: "cache");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string DatabasePath => Path.Combine(_folder, "cache", "llmcache.db");

    /// <summary>Writes 3 support answers, 2 invoices and 3 tenant answers (acme twice, globex once) through a runtime over the disk tier.</summary>
    private async Task PopulateAsync(string @namespace = CliTestKit.Namespace)
    {
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = Path.Combine(_folder, "cache") });
        await using LlmCacheRuntime runtime = CliTestKit.Runtime(@namespace, tier);
        var bot = new SupportBot(runtime);
        foreach (string q in new[] { "a", "b", "c" })
        {
            await bot.AnswerAsync(q);
        }
        foreach (string q in new[] { "x", "y" })
        {
            await bot.InvoiceAsync(q);
        }
        await bot.PersonalAsync("acme", "q1");
        await bot.PersonalAsync("acme", "q2");
        await bot.PersonalAsync("globex", "q1");
        await runtime.FlushAsync();
    }

    private long Rows(string like)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM entries WHERE key LIKE $like";
        command.Parameters.AddWithValue("$like", like);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Stats_CountsTheEntriesOfEachMethod_InTheDiskFile()
    {
        await PopulateAsync();
        JsonElement stats = await CliTestKit.JsonAsync(0, "stats", "--config", _config);
        Assert.Equal("tiers", stats.GetProperty("source").GetString());
        JsonElement disk = Assert.Single(stats.GetProperty("tiers").EnumerateArray());
        Assert.Equal("disk", disk.GetProperty("name").GetString());
        Assert.Equal(8, disk.GetProperty("entries").GetInt64());
        Assert.True(disk.GetProperty("bytes").GetInt64() > 0);
        Dictionary<string, long> methods = disk.GetProperty("methods").EnumerateArray()
            .ToDictionary(m => m.GetProperty("method").GetString()!, m => m.GetProperty("entries").GetInt64());
        Assert.Equal(3, methods.Single(m => m.Key.StartsWith("LlmCache.Cli.Tests.SupportBot.AnswerAsync.", StringComparison.Ordinal)).Value);
        Assert.Equal(2, methods.Single(m => m.Key.StartsWith("LlmCache.Cli.Tests.SupportBot.InvoiceAsync.", StringComparison.Ordinal)).Value);
        Assert.Equal(3, methods.Single(m => m.Key.StartsWith("LlmCache.Cli.Tests.SupportBot.PersonalAsync.", StringComparison.Ordinal)).Value);

        (int exit, string text, _) = await CliTestKit.RunAsync("stats", "--config", _config);
        Assert.Equal(0, exit);
        Assert.Contains("SupportBot.AnswerAsync", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_ReportsTheDiskTierReachable()
    {
        await PopulateAsync();
        JsonElement ping = await CliTestKit.JsonAsync(0, "ping", "--config", _config);
        JsonElement disk = Assert.Single(ping.GetProperty("tiers").EnumerateArray());
        Assert.True(disk.GetProperty("reachable").GetBoolean());
        Assert.True(disk.GetProperty("latencyMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task Inspect_ShowsPresenceSizeAgeAndExpiry_OfOneKey()
    {
        await PopulateAsync();
        string key;
        using (var tier = new SqliteCacheTier(new DiskTierOptions { Directory = Path.Combine(_folder, "cache"), ReadOnly = true }))
        await using (LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier))
        {
            key = Generated.LlmCacheKeys.SupportBot_AnswerAsync("a").Key(runtime);
        }
        JsonElement inspect = await CliTestKit.JsonAsync(0, "inspect", key, "--config", _config);
        Assert.Equal(key, inspect.GetProperty("key").GetString());
        JsonElement disk = Assert.Single(inspect.GetProperty("tiers").EnumerateArray());
        Assert.True(disk.GetProperty("present").GetBoolean());
        Assert.True(disk.GetProperty("size").GetInt64() > 0);
        Assert.InRange(disk.GetProperty("ageSeconds").GetDouble(), 0, 120);
        Assert.InRange(disk.GetProperty("remainingSeconds").GetDouble(), 3400, 3600); // the method's 1h TTL
        Assert.InRange(disk.GetProperty("expires").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddHours(1));

        JsonElement missing = await CliTestKit.JsonAsync(0, "inspect", key[..^4] + "0000", "--config", _config);
        Assert.False(Assert.Single(missing.GetProperty("tiers").EnumerateArray()).GetProperty("present").GetBoolean());
    }

    [Fact]
    public async Task PurgeByMethod_DeletesItsRowsFromSqlite_AndNoOtherRows()
    {
        await PopulateAsync();
        Assert.Equal(3, Rows("%SupportBot.AnswerAsync.%"));
        JsonElement purge = await CliTestKit.JsonAsync(0, "purge", "--config", _config, "--method", "LlmCache.Cli.Tests.SupportBot.AnswerAsync");
        JsonElement disk = Assert.Single(purge.GetProperty("tiers").EnumerateArray());
        Assert.Equal(3, disk.GetProperty("matched").GetInt32());
        Assert.Equal(3, disk.GetProperty("deleted").GetInt32());
        Assert.Equal(0, Rows("%SupportBot.AnswerAsync.%"));
        Assert.Equal(2, Rows("%SupportBot.InvoiceAsync.%"));
        Assert.Equal(3, Rows("%SupportBot.PersonalAsync.%"));
    }

    [Fact]
    public async Task PurgeByTag_DeletesTheTaggedMethodsRows_AndRecordsTheRemoval_SoTheNextCallIsAMiss()
    {
        await PopulateAsync();
        JsonElement purge = await CliTestKit.JsonAsync(0, "purge", "--config", _config, "--tag", "billing", "--manifest", AppContext.BaseDirectory);
        Assert.True(purge.GetProperty("removalRecorded").GetBoolean());
        Assert.Single(purge.GetProperty("methods").EnumerateArray());
        Assert.Equal(2, purge.GetProperty("tiers")[0].GetProperty("deleted").GetInt32());
        Assert.Equal(0, Rows("%SupportBot.InvoiceAsync.%"));
        Assert.Equal(3, Rows("%SupportBot.AnswerAsync.%"));
        Assert.Equal(1, Rows("llmcache:" + CliTestKit.Namespace + ":~tag:%")); // the runtime's own removal record

        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = Path.Combine(_folder, "cache") });
        await using LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier);
        var bot = new SupportBot(runtime);
        await bot.InvoiceAsync("x");
        await bot.AnswerAsync("a");
        Assert.Equal(1, bot.Calls); // the invoice ran again; the support answer was served from disk
    }

    [Fact]
    public async Task PurgeByTenant_DeletesThatTenantsRowsOnly()
    {
        await PopulateAsync();
        Assert.Equal(3, Rows("%SupportBot.PersonalAsync.%"));
        JsonElement purge = await CliTestKit.JsonAsync(0, "purge", "--config", _config, "--tenant", "acme");
        Assert.Equal(2, purge.GetProperty("tiers")[0].GetProperty("deleted").GetInt32());
        Assert.Equal(1, Rows("%SupportBot.PersonalAsync.%"));

        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = Path.Combine(_folder, "cache") });
        await using LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier);
        var bot = new SupportBot(runtime);
        await bot.PersonalAsync("globex", "q1");
        Assert.Equal(0, bot.Calls);
        await bot.PersonalAsync("acme", "q1");
        Assert.Equal(1, bot.Calls);
    }

    [Fact]
    public async Task PurgeByNamespace_DeletesEveryRowOfThatNamespace()
    {
        await PopulateAsync("old");
        await PopulateAsync();
        Assert.Equal(8, Rows("llmcache:old:%"));
        JsonElement dry = await CliTestKit.JsonAsync(0, "purge", "--config", _config, "--namespace", "old", "--dry-run");
        Assert.Equal(8, dry.GetProperty("tiers")[0].GetProperty("matched").GetInt32());
        Assert.Equal(8, Rows("llmcache:old:%"));
        await CliTestKit.JsonAsync(0, "purge", "--config", _config, "--namespace", "old");
        Assert.Equal(0, Rows("llmcache:old:%"));
        Assert.Equal(8, Rows("llmcache:clitest:%"));
    }

    [Theory]
    [InlineData("purge", "--method", "A.B", "--tag", "t")]
    [InlineData("purge", "--namespace", "no spaces")]
    [InlineData("purge", "--tenant", "x", "--tenant-type", "int")]
    [InlineData("stats")]
    [InlineData("ping", "--tier", "memcached")]
    [InlineData("copy", "--from", "disk", "--to", "disk")]
    [InlineData("copy", "--from", "disk", "--to", "floppy")]
    [InlineData("inspect", "not-a-key")]
    [InlineData("frobnicate")]
    public async Task BadInput_IsOneClearLine_AndExitCode2(params string[] args)
    {
        await PopulateAsync();
        string[] withConfig = args[0] is "frobnicate" or "stats" ? args : [.. args, "--config", _config];
        (int exit, string output, string error) = await CliTestKit.RunAsync(withConfig);
        Assert.Equal(2, exit);
        Assert.StartsWith("llmcache: ", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task MissingConfigurationFile_IsExitCode2()
    {
        (int exit, _, string error) = await CliTestKit.RunAsync("stats", "--config", Path.Combine(_folder, "nope.json"));
        Assert.Equal(2, exit);
        Assert.Contains("configuration file not found", error, StringComparison.Ordinal);
    }
}
