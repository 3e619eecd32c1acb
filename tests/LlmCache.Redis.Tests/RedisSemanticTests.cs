using Xunit;
using LlmCache.Redis;
using LlmCache.Testing;
using StackExchange.Redis;

namespace LlmCache.Redis.Tests;

/// <summary>The semantic index shared through Redis: a fleet finds the semantic hits any process stored.</summary>
public sealed class RedisSemanticTests : IDisposable
{
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    private (RedisCacheTier Tier, LlmCacheRuntime Runtime, SemanticAnswers Answers) Process(int timeoutMs = 2_000)
    {
        var tier = new RedisCacheTier(new RedisTierOptions
        {
            Configuration = _server.Configuration,
            KeyPrefix = "fleet:",
            OperationTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        });
        var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromMilliseconds(timeoutMs * 2) },
            Semantic = { EmbeddingGenerator = new WordsEmbeddingGenerator() },
        });
        return (tier, runtime, new SemanticAnswers(runtime));
    }

    [Fact]
    public async Task ASecondProcess_FindsTheSemanticHitTheFirstStored_InOnePartitionList()
    {
        var (tierA, runtimeA, first) = Process();
        var (tierB, runtimeB, second) = Process();
        using (tierA)
        using (tierB)
        await using (runtimeA)
        await using (runtimeB)
        {
            await first.AskAsync("How do I reset my password");
            await runtimeA.FlushAsync();

            Assert.Equal("answer to How do I reset my password", await second.AskAsync("How can I reset my password"));
            Assert.Equal(0, second.Calls);

            // One list, under the tier's prefix, its partition as the hash tag; it expires with the entry.
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            RedisKey[] lists = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: "fleet:semantic:{*}").ToArray();
            RedisKey list = Assert.Single(lists);
            Assert.Equal(1, await redis.GetDatabase().ListLengthAsync(list));
            TimeSpan? ttl = await redis.GetDatabase().KeyTimeToLiveAsync(list);
            Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));

            // A question the second process stores is found by the first.
            await second.AskAsync("Where is my parcel from last week");
            await runtimeB.FlushAsync();
            await first.AskAsync("Where is my parcel from last week please");
            Assert.Equal(1, first.Calls);
            Assert.Equal(1, second.Calls);
        }
    }

    [Fact]
    public async Task AForgedRecord_IsIgnored()
    {
        var (tierA, runtimeA, first) = Process();
        using (tierA)
        await using (runtimeA)
        {
            await first.AskAsync("How do I reset my password");
            await runtimeA.FlushAsync();
            using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
            RedisKey list = redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: "fleet:semantic:{*}").Single();
            await redis.GetDatabase().ListRightPushAsync(list, new byte[] { 1, 2, 3, 255, 0, 7 });
            await redis.GetDatabase().ListRightPushAsync(list, new byte[100_000]);

            var (tierB, runtimeB, second) = Process();
            using (tierB)
            await using (runtimeB)
            {
                Assert.Equal("answer to How do I reset my password", await second.AskAsync("How can I reset my password"));
                Assert.Equal(0, second.Calls);
            }
        }
    }

    [Fact]
    public async Task APausedRedis_CostsTheTimeout_AndTheCallIsStillAnswered()
    {
        var (tier, runtime, answers) = Process(timeoutMs: 250);
        using (tier)
        await using (runtime)
        {
            await answers.AskAsync("How do I reset my password");
            _server.Pause();
            try
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                // The local index still holds the stored call: served from memory, the log read timed out.
                Assert.Equal("answer to How do I reset my password", await answers.AskAsync("How can I reset my password"));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
                Assert.Equal(1, answers.Calls);
            }
            finally
            {
                _server.Resume();
            }
        }
    }
}
