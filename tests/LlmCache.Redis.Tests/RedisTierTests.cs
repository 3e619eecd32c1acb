using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Redis.Tests;

public sealed class Answers(LlmCacheRuntime cache)
{
    public int Calls;
    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h", Tags = ["faq"])]
    public Task<string> AskAsync(string prompt) { Interlocked.Increment(ref Calls); return Task.FromResult("answer to " + prompt); }
}

/// <summary>The Redis tier against a real redis-server, including a paused and a killed server.</summary>
public sealed class RedisTierTests : IDisposable
{
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    // Generous timeouts where a test asserts on data (the machine runs other test assemblies at once);
    // the default 250 ms where it asserts on the bound a paused server costs.
    private (RedisCacheTier Tier, LlmCacheRuntime Runtime, Answers Answers) Create(string prefix = "", int timeoutMs = 2_000)
    {
        var tier = new RedisCacheTier(new RedisTierOptions
        {
            Configuration = _server.Configuration,
            KeyPrefix = prefix,
            OperationTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        });
        Assert.True(tier.Subscribed.Wait(TimeSpan.FromSeconds(10)), "the invalidation subscription never became active");
        var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            // A short break so recovery shows within the test; a pipeline timeout above the tier's own.
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromMilliseconds(timeoutMs * 2), BreakDuration = TimeSpan.FromSeconds(1) },
        });
        return (tier, runtime, new Answers(runtime));
    }

    [Fact]
    public async Task AnAnswer_LandsInRedis_UnderItsKey_WithNativeExpiry()
    {
        var (tier, runtime, answers) = Create(prefix: "app1:");
        using (tier)
        await using (runtime)
        {
            await answers.AskAsync("q");
            await runtime.FlushAsync(); // tier writes run in the background
            string key = "app1:" + Generated.LlmCacheKeys.Answers_AskAsync("q").Key(runtime);
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            IDatabase db = redis.GetDatabase();
            Assert.True(await db.KeyExistsAsync(key));
            TimeSpan? ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
            byte[]? bytes = await db.StringGetAsync(key);
            Assert.NotNull(bytes);
            Assert.NotEmpty(FindAll(bytes!, "answer to q"u8.ToArray()));
        }
    }

    [Fact]
    public async Task ALongValue_IsStoredCompressed_AShortOnePlain_AndBothReadBack()
    {
        using var tier = new RedisCacheTier(new RedisTierOptions { Configuration = _server.Configuration, KeyPrefix = "z:", OperationTimeout = TimeSpan.FromSeconds(2) });
        var options = new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
        byte[] longText = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 60).Select(i =>
            $"Step {i}: open Settings > API > Keys, check the last use of the key, and revoke it once unused. ")));
        byte[] shortText = "a short answer"u8.ToArray();
        await tier.SetAsync("long", longText, options);
        await tier.SetAsync("short", shortText, options);

        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        byte[] storedLong = (await redis.GetDatabase().StringGetAsync("z:long"))!;
        byte[] storedShort = (await redis.GetDatabase().StringGetAsync("z:short"))!;
        Assert.Equal(1, storedLong[0]); // Brotli
        Assert.True(storedLong.Length * 3 < longText.Length, $"{longText.Length} bytes were stored as {storedLong.Length}");
        Assert.Equal([0, .. shortText], storedShort); // plain, behind its format byte
        Assert.Equal(longText, await tier.GetAsync("long"));
        Assert.Equal(shortText, await tier.GetAsync("short"));
        Assert.Equal(longText, tier.Get("long"));

        using var plainTier = new RedisCacheTier(new RedisTierOptions { Configuration = _server.Configuration, KeyPrefix = "z:", CompressionThreshold = -1 });
        await plainTier.SetAsync("off", longText, options);
        Assert.Equal([0, .. longText], (byte[])(await redis.GetDatabase().StringGetAsync("z:off"))!);
    }

    [Fact]
    public async Task TheTier_IsConfiguredFromIConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false",
            ["LlmCache:Redis:Enabled"] = "true",
            ["LlmCache:Redis:Configuration"] = _server.Configuration,
            ["LlmCache:Redis:KeyPrefix"] = "cfg:",
            ["LlmCache:Redis:CompressionThreshold"] = "-1",
            ["LlmCache:Redis:OperationTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache")).AddRedisTier(configuration.GetSection("LlmCache:Redis"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        string prompt = new('x', 2000); // long enough to be compressed, were compression on
        await new Answers(runtime).AskAsync(prompt);
        await runtime.FlushAsync();
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        byte[]? stored = await redis.GetDatabase().StringGetAsync("cfg:" + Generated.LlmCacheKeys.Answers_AskAsync(prompt).Key(runtime));
        Assert.NotNull(stored);
        Assert.Equal(0, stored![0]); // plain, as configured
    }

    [Fact]
    public async Task AReloadedRedisSection_SwapsTheTier_AndSwitchesItOff()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false",
            ["LlmCache:Redis:Enabled"] = "true",
            ["LlmCache:Redis:Configuration"] = _server.Configuration,
            ["LlmCache:Redis:KeyPrefix"] = "swap1:",
            ["LlmCache:Redis:OperationTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache")).AddRedisTier(configuration.GetSection("LlmCache:Redis"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var answers = new Answers(runtime);
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        IDatabase db = redis.GetDatabase();

        await answers.AskAsync("one");
        configuration["LlmCache:Redis:KeyPrefix"] = "swap2:";
        configuration.Reload();
        await answers.AskAsync("two");
        await runtime.FlushAsync();
        Assert.True(await db.KeyExistsAsync("swap1:" + Generated.LlmCacheKeys.Answers_AskAsync("one").Key(runtime)));
        Assert.False(await db.KeyExistsAsync("swap1:" + Generated.LlmCacheKeys.Answers_AskAsync("two").Key(runtime)));
        Assert.True(await db.KeyExistsAsync("swap2:" + Generated.LlmCacheKeys.Answers_AskAsync("two").Key(runtime)));
        Assert.Equal("0:RedisCacheTier", Assert.Single(runtime.Tiers).Name);

        configuration["LlmCache:Redis:Enabled"] = "false";
        configuration.Reload();
        await answers.AskAsync("three");
        await runtime.FlushAsync();
        Assert.False(await db.KeyExistsAsync("swap2:" + Generated.LlmCacheKeys.Answers_AskAsync("three").Key(runtime)));
        Assert.Equal(3, answers.Calls);
    }

    [Fact]
    public async Task AValueInAnotherFormat_IsAMiss_NotAnError()
    {
        var (tier, runtime, answers) = Create(prefix: "foreign:");
        using (tier)
        await using (runtime)
        {
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            string key = "foreign:" + Generated.LlmCacheKeys.Answers_AskAsync("f").Key(runtime);
            await redis.GetDatabase().StringSetAsync(key, "written by another tool");
            Assert.Null(await tier.GetAsync(Generated.LlmCacheKeys.Answers_AskAsync("f").Key(runtime)));
            Assert.Equal("answer to f", await answers.AskAsync("f"));
            Assert.Equal(1, answers.Calls);
        }
    }

    [Fact]
    public async Task ASecondRuntime_IsServedFromRedis()
    {
        var (t1, r1, a1) = Create();
        var (t2, r2, a2) = Create();
        using (t1)
        using (t2)
        await using (r1)
        await using (r2)
        {
            await a1.AskAsync("shared");
            await r1.FlushAsync();
            Assert.Equal("answer to shared", await a2.AskAsync("shared"));
            Assert.Equal(0, a2.Calls);
        }
    }

    [Fact]
    public async Task AnEvictionInOneProcess_DropsTheInMemoryCopyInTheOthers()
    {
        var (t1, r1, a1) = Create();
        var (t2, r2, a2) = Create();
        using (t1)
        using (t2)
        await using (r1)
        await using (r2)
        {
            await a1.AskAsync("e");
            await r1.FlushAsync();
            await a2.AskAsync("e");
            Assert.Equal(0, a2.Calls);
            Assert.Equal(1, r2.LocalEntryCount);
            await Generated.LlmCacheKeys.Answers_AskAsync("e").EvictAsync(r1);
            await Eventually(() => r2.LocalEntryCount == 0);
            await a2.AskAsync("e");
            Assert.Equal(1, a2.Calls);
        }
    }

    [Fact]
    public async Task AnEviction_ReachesAProcessWhoseRedisTierCameFromConfiguration_BeforeAndAfterAReload()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false",
            ["LlmCache:Redis:Enabled"] = "true",
            ["LlmCache:Redis:Configuration"] = _server.Configuration,
            ["LlmCache:Redis:OperationTimeout"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache")).AddRedisTier(configuration.GetSection("LlmCache:Redis"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime r2 = provider.GetRequiredService<LlmCacheRuntime>();
        var a2 = new Answers(r2);
        var (t1, r1, a1) = Create();
        using (t1)
        await using (r1)
        {
            foreach (string prompt in new[] { "cfg-e1", "cfg-e2" })
            {
                await a1.AskAsync(prompt);
                await r1.FlushAsync();
                await a2.AskAsync(prompt);
                Assert.Equal(1, r2.LocalEntryCount);
                await Generated.LlmCacheKeys.Answers_AskAsync(prompt).EvictAsync(r1);
                await Eventually(() => r2.LocalEntryCount == 0);
                // The reload swaps in a new Redis tier: its notices reach the runtime as the old one's did.
                configuration["LlmCache:Redis:OperationTimeout"] = "00:00:03";
                configuration.Reload();
            }
            Assert.Equal(0, a2.Calls);
        }
    }

    [Fact]
    public async Task ATagRemovalInOneProcess_IsHonouredByEveryOther_FromMemoryAndFromRedis()
    {
        var (t1, r1, a1) = Create();
        var (t2, r2, a2) = Create();
        using (t1)
        using (t2)
        await using (r1)
        await using (r2)
        {
            await a1.AskAsync("t");
            await r1.FlushAsync();
            await a2.AskAsync("t"); // B reads A's answer from Redis and keeps it in memory
            Assert.Equal(0, a2.Calls);
            Assert.Equal(1, r2.LocalEntryCount);

            Assert.True(await r1.RemoveByTagAsync("faq"));

            // The removal's time is in Redis itself, so a process started later honours it at once.
            using (ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration))
            {
                string record = "llmcache:v1:~tag:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("faq"u8)[..16]).ToLowerInvariant();
                byte[]? stored = await redis.GetDatabase().StringGetAsync(record);
                Assert.NotNull(stored);
                // The value is the removal's time (after the tier's one-byte format header).
                long ticks = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(stored!.Length - 8));
                Assert.InRange(new DateTime(ticks, DateTimeKind.Utc), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
            }
            var (t3, r3, a3) = Create();
            using (t3)
            await using (r3)
            {
                using (LlmCacheScope.With(CacheControl.DoNotStore))
                {
                    await a3.AskAsync("t");
                }
                Assert.Equal(1, a3.Calls);
            }

            // B drops its copy when the notice arrives; the entry still in Redis predates the removal,
            // so B's next call runs the method.
            await Eventually(() => r2.LocalEntryCount == 0);
            await a2.AskAsync("t");
            Assert.Equal(1, a2.Calls);
        }
    }

    [Fact]
    public async Task APausedServer_CostsAtMostAboutOneTimeout_AndHitsResumeWhenItIsBack()
    {
        var (tier, runtime, answers) = Create(timeoutMs: 250);
        using (tier)
        await using (runtime)
        {
            await answers.AskAsync("warm"); // JIT of the whole path, untimed
            _server.Pause();
            try
            {
                var clock = Stopwatch.StartNew();
                Assert.Equal("answer to p1", await answers.AskAsync("p1"));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"a paused Redis cost {clock.Elapsed}");
                Assert.Equal(2, answers.Calls);
            }
            finally
            {
                _server.Resume();
            }
            // Back: answers reach Redis again (recovery needs no restart).
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            int attempt = 0;
            await Eventually(async () =>
            {
                string prompt = "after" + attempt++;
                await answers.AskAsync(prompt);
                await runtime.FlushAsync();
                return await redis.GetDatabase().KeyExistsAsync(Generated.LlmCacheKeys.Answers_AskAsync(prompt).Key(runtime));
            });
        }
    }

    [Fact]
    public async Task AKilledServer_NeverFailsACall_AndHitsResumeOnceItIsRestarted()
    {
        var (tier, runtime, answers) = Create();
        using (tier)
        await using (runtime)
        {
            await answers.AskAsync("k");
            _server.Kill();
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal("answer to new" + i, await answers.AskAsync("new" + i));
            }
            Assert.Equal("answer to k", await answers.AskAsync("k")); // still in memory
            Assert.Equal(6, answers.Calls);

            _server.Start(); // same port, empty: the multiplexer reconnects by itself
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            int attempt = 0;
            string stored = "";
            await Eventually(async () =>
            {
                stored = "restarted" + attempt++;
                await answers.AskAsync(stored);
                await runtime.FlushAsync();
                return await redis.GetDatabase().KeyExistsAsync(Generated.LlmCacheKeys.Answers_AskAsync(stored).Key(runtime));
            });
            var (t2, r2, a2) = Create();
            using (t2)
            await using (r2)
            {
                Assert.Equal("answer to " + stored, await a2.AskAsync(stored));
                Assert.Equal(0, a2.Calls); // served by the restarted server
            }
        }
    }

    private static IEnumerable<int> FindAll(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                yield return i;
            }
        }
    }

    private static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the condition never held");
            await Task.Delay(50);
        }
    }
}
