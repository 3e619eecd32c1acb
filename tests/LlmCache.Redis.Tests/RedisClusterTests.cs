using System.Diagnostics;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Redis.Tests;

/// <summary>A local 3-master Redis Cluster (no replicas), created with redis-cli and stopped by PID.</summary>
public sealed class RedisCluster : IDisposable
{
    public RedisCluster()
    {
        Nodes = [new RedisServer(cluster: true), new RedisServer(cluster: true), new RedisServer(cluster: true)];
        try
        {
            Create();
        }
        catch
        {
            // The test class is never built, so never disposed: stop the nodes here.
            Dispose();
            throw;
        }
    }

    private void Create()
    {
        string cli = Environment.GetEnvironmentVariable("LLMCACHE_REDIS_SERVER") is { Length: > 0 } server
            ? Path.Combine(Path.GetDirectoryName(server)!, "redis-cli")
            : "redis-cli";
        var create = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        create.ArgumentList.Add("--cluster");
        create.ArgumentList.Add("create");
        foreach (RedisServer node in Nodes)
        {
            create.ArgumentList.Add($"127.0.0.1:{node.Port}");
        }
        create.ArgumentList.Add("--cluster-replicas");
        create.ArgumentList.Add("0");
        create.ArgumentList.Add("--cluster-yes");
        using Process process = Process.Start(create)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit(30_000);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-cli --cluster create failed: " + output);
        }
        WaitForOk();
    }

    public RedisServer[] Nodes { get; }

    public string Configuration => string.Join(",", Nodes.Select(n => $"127.0.0.1:{n.Port}"));

    public void Dispose()
    {
        foreach (RedisServer node in Nodes)
        {
            node.Dispose();
        }
    }

    private void WaitForOk()
    {
        // Every node must agree the cluster is up, and a write to every master must go through.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using ConnectionMultiplexer redis = ConnectionMultiplexer.Connect(Configuration + ",allowAdmin=true");
                bool ok = Nodes.All(n => redis.GetServer("127.0.0.1", n.Port).Execute("CLUSTER", "INFO").ToString()
                    .Contains("cluster_state:ok", StringComparison.Ordinal));
                if (ok)
                {
                    IDatabase db = redis.GetDatabase();
                    for (int i = 0; i < 30; i++)
                    {
                        db.StringSet("warmup:" + i, i);
                    }
                    return;
                }
            }
            catch (RedisException)
            {
            }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException("the cluster never reached cluster_state:ok on every node");
    }
}

/// <summary>The Redis tier on a Redis Cluster: keys spread over the three masters, invalidation still reaches every process.</summary>
public sealed class RedisClusterTests : IDisposable
{
    private readonly RedisCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    private (RedisCacheTier, LlmCacheRuntime, Answers) Create()
    {
        var tier = new RedisCacheTier(new RedisTierOptions { Configuration = _cluster.Configuration, OperationTimeout = TimeSpan.FromSeconds(2) });
        Assert.True(tier.Subscribed.Wait(TimeSpan.FromSeconds(10)));
        var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(4) },
        });
        return (tier, runtime, new Answers(runtime));
    }

    [Fact]
    public async Task EntriesSpreadOverTheMasters_AreServedToASecondRuntime()
    {
        var (t1, r1, a1) = Create();
        var (t2, r2, a2) = Create();
        using (t1)
        using (t2)
        await using (r1)
        await using (r2)
        {
            for (int i = 0; i < 30; i++)
            {
                await a1.AskAsync("c" + i);
            }
            await r1.FlushAsync();
            for (int i = 0; i < 30; i++)
            {
                Assert.Equal("answer to c" + i, await a2.AskAsync("c" + i));
            }
            Assert.Equal(0, a2.Calls);

            // The keys really are spread: every master holds some.
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Configuration + ",allowAdmin=true");
            foreach (RedisServer node in _cluster.Nodes)
            {
                int keys = redis.GetServer("127.0.0.1", node.Port).Keys(pattern: "llmcache:*").Count();
                Assert.True(keys > 0, $"master {node.Port} holds no cache entry");
            }

            await Generated.LlmCacheKeys.Answers_AskAsync("c0").EvictAsync(r1);
            var clock = Stopwatch.StartNew();
            while (r2.LocalEntryCount == 30 && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
            Assert.Equal(29, r2.LocalEntryCount);
        }
    }

    [Fact]
    public async Task SemanticPartitions_LiveInOneSlotEach_AndAreSharedAcrossTheCluster()
    {
        LlmCacheRuntime Semantic(RedisCacheTier tier) => new(new LlmCacheOptions
        {
            Tiers = { tier },
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(4) },
            Semantic = { EmbeddingGenerator = new LlmCache.Testing.WordsEmbeddingGenerator() },
        });
        using var t1 = new RedisCacheTier(new RedisTierOptions { Configuration = _cluster.Configuration, OperationTimeout = TimeSpan.FromSeconds(2) });
        using var t2 = new RedisCacheTier(new RedisTierOptions { Configuration = _cluster.Configuration, OperationTimeout = TimeSpan.FromSeconds(2) });
        await using LlmCacheRuntime r1 = Semantic(t1);
        await using LlmCacheRuntime r2 = Semantic(t2);
        var first = new LlmCache.Testing.SemanticAnswers(r1);
        var second = new LlmCache.Testing.SemanticAnswers(r2);
        await first.AskAsync("How do I reset my password");
        await r1.FlushAsync();
        Assert.Equal("answer to How do I reset my password", await second.AskAsync("How can I reset my password"));
        Assert.Equal(0, second.Calls);

        // The list's name carries the partition as its hash tag: one slot, whatever the prefix.
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Configuration + ",allowAdmin=true");
        RedisKey list = _cluster.Nodes.SelectMany(n => redis.GetServer("127.0.0.1", n.Port).Keys(pattern: "semantic:{*}")).Single();
        Assert.Equal(1, await redis.GetDatabase().ListLengthAsync(list));
    }
}
