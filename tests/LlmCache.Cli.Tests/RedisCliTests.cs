using System.Text.Json;
using LlmCache.Disk;
using LlmCache.Redis;
using LlmCache.Redis.Tests;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>The CLI against a real redis-server (started on 127.0.0.1, stopped by its PID) and a real disk file.</summary>
public sealed class RedisCliTests : IDisposable
{
    private const string Prefix = "app1:";
    private readonly RedisServer _server = new();
    private readonly string _folder = CliTestKit.TempFolder();

    public void Dispose()
    {
        _server.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string RedisSection => $"\"Configuration\": \"{_server.Configuration}\", \"KeyPrefix\": \"{Prefix}\", \"OperationTimeout\": \"00:00:05\"";

    private RedisCacheTier RedisTier() => new(new RedisTierOptions { Configuration = _server.Configuration, KeyPrefix = Prefix, OperationTimeout = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task PurgeByMethod_DeletesItsKeysFromRedis_FoundBySCAN()
    {
        string config = CliTestKit.WriteConfig(_folder, redis: RedisSection);
        using (RedisCacheTier tier = RedisTier())
        await using (LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier))
        {
            var bot = new SupportBot(runtime);
            for (int i = 0; i < 30; i++)
            {
                await bot.InvoiceAsync("q" + i);
            }
            await bot.PersonalAsync("acme", "q");
            await runtime.FlushAsync();
        }
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        IServer server = redis.GetServer(redis.GetEndPoints()[0]);
        Assert.Equal(30, server.Keys(pattern: Prefix + "llmcache:clitest:LlmCache.Cli.Tests.SupportBot.InvoiceAsync.*").Count());

        JsonElement purge = await CliTestKit.JsonAsync(0, "purge", "--config", config, "--method", "LlmCache.Cli.Tests.SupportBot.InvoiceAsync");
        Assert.Equal(30, purge.GetProperty("tiers")[0].GetProperty("deleted").GetInt32());
        Assert.Empty(server.Keys(pattern: Prefix + "llmcache:clitest:LlmCache.Cli.Tests.SupportBot.InvoiceAsync.*"));
        Assert.Single(server.Keys(pattern: Prefix + "llmcache:clitest:LlmCache.Cli.Tests.SupportBot.PersonalAsync.*"));

        JsonElement stats = await CliTestKit.JsonAsync(0, "stats", "--config", config);
        Assert.Equal(1, stats.GetProperty("tiers")[0].GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task CopyDiskToRedis_WarmsAFreshRedis_EntriesKeepTheirRemainingLifetime_AndAreServedFromIt()
    {
        string disk = Path.Combine(_folder, "cache");
        string config = CliTestKit.WriteConfig(_folder, disk: "cache", redis: RedisSection);
        var expiries = new Dictionary<string, DateTimeOffset>();
        using (var tier = new SqliteCacheTier(new DiskTierOptions { Directory = disk }))
        await using (LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier))
        {
            var bot = new SupportBot(runtime);
            await bot.AnswerAsync("a");
            await bot.InvoiceAsync("x");
            await runtime.FlushAsync();
            await foreach (TierEntryInfo entry in tier.ListAsync("llmcache:"))
            {
                expiries[entry.Key] = entry.Expires!.Value;
            }
        }
        Assert.Equal(2, expiries.Count);
        await Task.Delay(1500); // the copies must keep the remaining lifetime, not restart it

        JsonElement copy = await CliTestKit.JsonAsync(0, "copy", "--config", config, "--from", "disk", "--to", "redis");
        Assert.Equal(2, copy.GetProperty("listed").GetInt32());
        Assert.Equal(2, copy.GetProperty("copied").GetInt32());

        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        IDatabase db = redis.GetDatabase();
        foreach ((string key, DateTimeOffset expires) in expiries)
        {
            TimeSpan? ttl = await db.KeyTimeToLiveAsync(Prefix + key);
            Assert.NotNull(ttl);
            Assert.InRange((DateTimeOffset.UtcNow + ttl!.Value - expires).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(2));
        }

        using RedisCacheTier fresh = RedisTier();
        await using LlmCacheRuntime served = CliTestKit.Runtime(CliTestKit.Namespace, fresh);
        var again = new SupportBot(served);
        Assert.Equal("answer to a", await again.AnswerAsync("a"));
        Assert.Equal("invoice for x", await again.InvoiceAsync("x"));
        Assert.Equal(0, again.Calls); // both from Redis

        JsonElement inspect = await CliTestKit.JsonAsync(0, "inspect", expiries.Keys.First(), "--config", config);
        Assert.All(inspect.GetProperty("tiers").EnumerateArray(), t => Assert.True(t.GetProperty("present").GetBoolean()));
    }

    [Fact]
    public async Task Ping_ReportsRedisReachable_ThenDown_WithExitCode1()
    {
        string config = CliTestKit.WriteConfig(_folder, redis: RedisSection.Replace("00:00:05", "00:00:00.500", StringComparison.Ordinal));
        JsonElement up = await CliTestKit.JsonAsync(0, "ping", "--config", config);
        Assert.True(up.GetProperty("tiers")[0].GetProperty("reachable").GetBoolean());
        _server.Kill();
        JsonElement down = await CliTestKit.JsonAsync(1, "ping", "--config", config);
        Assert.False(down.GetProperty("tiers")[0].GetProperty("reachable").GetBoolean());
        Assert.False(string.IsNullOrEmpty(down.GetProperty("tiers")[0].GetProperty("error").GetString()));
    }

    [Fact]
    public async Task PurgeAgainstADeadRedis_FailsWithExitCode1_InsteadOfFindingNothing()
    {
        string config = CliTestKit.WriteConfig(_folder, redis: RedisSection);
        _server.Kill();
        JsonElement purge = await CliTestKit.JsonAsync(1, "purge", "--config", config, "--namespace", "old");
        JsonElement redis = purge.GetProperty("tiers")[0];
        Assert.Equal(0, redis.GetProperty("deleted").GetInt32());
        Assert.Contains("listing failed", redis.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
