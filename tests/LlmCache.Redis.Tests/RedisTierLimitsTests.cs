using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Redis.Tests;

/// <summary>Read limits, promoted lifetimes, read-only use and the scope of invalidations, against a real redis-server.</summary>
public sealed class RedisTierLimitsTests : IDisposable
{
    private readonly RedisServer _server = new();

    public void Dispose() => _server.Dispose();

    private RedisCacheTier Tier(string prefix, long maximumValueBytes = ICacheTier.DefaultMaximumValueBytes, int compressionThreshold = 1024) => new(new RedisTierOptions
    {
        Configuration = _server.Configuration,
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(5),
        MaximumValueBytes = maximumValueBytes,
        CompressionThreshold = compressionThreshold,
    });

    private static TieredCache Chain(int maximumEntryBytes, params IDistributedCache[] tiers) =>
        new(tiers, new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(5) }, NullLogger.Instance, () => TimeSpan.FromHours(1),
            maximumEntryBytes: () => maximumEntryBytes);

    private static readonly DistributedCacheEntryOptions Hour = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

    [Fact]
    public async Task AForgedHeaderClaiming400MB_IsAMiss_AndNothingOfThatSizeIsAllocated()
    {
        using RedisCacheTier tier = Tier("forged:");
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        byte[] forged = new byte[64];
        forged[0] = 1; // Brotli
        BinaryPrimitives.WriteInt32LittleEndian(forged.AsSpan(1), 400 * 1024 * 1024);
        await redis.GetDatabase().StringSetAsync("forged:k", forged);
        Assert.Null(await tier.GetAsync("k")); // warm the path up

        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Null(await tier.GetAsync("k"));
        Assert.Null(tier.Get("k"));
        Assert.Null(await tier.GetBoundedAsync("k", 1 << 20));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated reading a value that claims 400 MB");
    }

    [Fact]
    public async Task AValueAboveTheRuntimesLimit_IsAMiss_AndIsNeverTransferred()
    {
        using RedisCacheTier tier = Tier("big:", compressionThreshold: -1);
        byte[] big = new byte[5 << 20];
        Random.Shared.NextBytes(big);
        await tier.SetAsync("k", big, Hour);
        TieredCache chain = Chain(1 << 20, tier);
        var destination = new ArrayBufferWriter<byte>();
        Assert.False(await chain.TryGetAsync("k", destination)); // warm the path up

        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 10; i++)
        {
            Assert.False(await chain.TryGetAsync("k", destination));
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 5 << 20, $"{allocated} bytes allocated for 10 refused reads of a 5 MiB value");
        Assert.Equal(0, destination.WrittenCount);

        // The same value is served once the limit allows it.
        Assert.True(await Chain(6 << 20, tier).TryGetAsync("k", destination));
        Assert.Equal(big, destination.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task AReadIsOneRoundTrip()
    {
        using RedisCacheTier tier = Tier("trip:");
        await tier.SetAsync("k", [1, 2, 3], Hour);
        Assert.Equal([1, 2, 3], await tier.GetAsync("k")); // the script is loaded on the server now
        using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(_server.Configuration + ",allowAdmin=true");
        IServer server = admin.GetServer(admin.GetEndPoints()[0]);
        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal([1, 2, 3], await tier.GetAsync("k"));
        }
        string stats = (string)(await server.ExecuteAsync("INFO", "commandstats"))!;
        // One EVALSHA per read (the GET, STRLEN and PTTL it runs inside the server are counted too, but cost no round trip).
        Assert.Contains("cmdstat_evalsha:calls=20,", stats, StringComparison.Ordinal);
        Assert.DoesNotContain("cmdstat_eval:", stats, StringComparison.Ordinal);
        Assert.Contains("cmdstat_get:calls=20,", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APromotedCopy_LivesWhatIsLeftOfTheOriginal_NotTheDefaultTtl()
    {
        using RedisCacheTier upper = Tier("upper:");
        using RedisCacheTier lower = Tier("lower:");
        await lower.SetAsync("k", [7], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) });
        TieredCache chain = Chain(1 << 20, upper, lower); // the default TTL is an hour
        Assert.True(await chain.TryGetAsync("k", new ArrayBufferWriter<byte>()));
        await chain.FlushAsync(TimeSpan.FromSeconds(10));

        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        TimeSpan? ttl = await redis.GetDatabase().KeyTimeToLiveAsync("upper:k");
        Assert.NotNull(ttl);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task AReadOnlyTier_NeverWritesOrRemoves()
    {
        using RedisCacheTier writer = Tier("ro:");
        await writer.SetAsync("kept", [1], Hour);
        using RedisCacheTier inner = Tier("ro:");
        var tier = new ReadOnlyTier(inner);
        await tier.SetAsync("new", [2], Hour);
        await inner.SetAsync("new", [2], Hour);
        await inner.RemoveAsync("kept");
        using ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        Assert.False(await redis.GetDatabase().KeyExistsAsync("ro:new"));
        Assert.Equal([1], await tier.GetAsync("kept"));
    }

    [Fact]
    public async Task TwoKeyPrefixes_NeverReceiveEachOthersInvalidations()
    {
        using RedisCacheTier appA = Tier("a:");
        using RedisCacheTier otherA = Tier("a:");
        using RedisCacheTier appB = Tier("b:");
        using RedisCacheTier otherB = Tier("b:");
        foreach (RedisCacheTier t in new[] { appA, otherA, appB, otherB })
        {
            Assert.True(await Task.WhenAny(t.Subscribed, Task.Delay(TimeSpan.FromSeconds(10))) == t.Subscribed, "never subscribed");
        }
        var seenByA = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var seenByB = new System.Collections.Concurrent.ConcurrentQueue<string>();
        otherA.KeyInvalidated += seenByA.Enqueue;
        appB.KeyInvalidated += seenByB.Enqueue;

        await appA.PublishKeyAsync("from-a");
        await otherB.PublishKeyAsync("from-b"); // published after: once B has it, A's message would have arrived too
        await Eventually(() => seenByA.Contains("from-a") && seenByB.Contains("from-b"));
        Assert.Equal(["from-b"], seenByB.ToArray());
        Assert.Equal(["from-a"], seenByA.ToArray());
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the condition never held");
            await Task.Delay(50);
        }
    }
}
