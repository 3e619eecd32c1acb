using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LlmCache.S3.Tests;

public sealed class Answers(LlmCacheRuntime cache)
{
    public int Calls;
    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<string> AskAsync(string prompt) { Interlocked.Increment(ref Calls); return Task.FromResult("answer to " + prompt); }
}

/// <summary>The S3 tier against a real s3rver.</summary>
public sealed class S3TierTests : IDisposable
{
    private readonly S3Server _server = new();

    public void Dispose() => _server.Dispose();

    private S3CacheTier Tier(string prefix = "cache/", TimeProvider? time = null) => new(new S3TierOptions
    {
        Bucket = S3Server.Bucket,
        Prefix = prefix,
        ServiceUrl = _server.ServiceUrl,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        OperationTimeout = TimeSpan.FromSeconds(2),
    }, timeProvider: time);

    private AmazonS3Client Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
    {
        ServiceURL = _server.ServiceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
    });

    [Fact]
    public async Task AnAnswer_LandsAsAnObject_AtThePrefixedPath_WithItsExpiry()
    {
        using S3CacheTier tier = Tier();
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        await new Answers(runtime).AskAsync("q");
        await runtime.FlushAsync(); // tier writes run in the background
        string key = Generated.LlmCacheKeys.Answers_AskAsync("q").Key(runtime);
        string objectKey = "cache/" + key.Replace(':', '/');
        Assert.Equal(objectKey, tier.ObjectKey(key));

        using AmazonS3Client client = Client();
        using GetObjectResponse response = await client.GetObjectAsync(S3Server.Bucket, objectKey);
        long expires = long.Parse(response.Metadata[S3CacheTier.ExpiresMetadata]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(new DateTime(expires, DateTimeKind.Utc), DateTime.UtcNow.AddMinutes(59), DateTime.UtcNow.AddHours(1).AddMinutes(1));
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        Assert.Contains("answer to q", System.Text.Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondRuntime_IsServedFromS3()
    {
        using S3CacheTier tier = Tier();
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }))
        {
            await new Answers(first).AskAsync("shared");
        }
        await using var second = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        var answers = new Answers(second);
        Assert.Equal("answer to shared", await answers.AskAsync("shared"));
        Assert.Equal(0, answers.Calls);
    }

    private async Task<List<S3Object>> ObjectsAsync(string prefix)
    {
        using AmazonS3Client client = Client();
        ListObjectsV2Response list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = prefix });
        return list.S3Objects ?? [];
    }

    [Fact]
    public async Task AnExpiredObject_IsAMiss_AndIsNeverDeletedByARead()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using S3CacheTier tier = Tier(time: clock);
        await tier.SetAsync("llmcache:v1:m:abc", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) });
        Assert.Equal([1, 2, 3], await tier.GetAsync("llmcache:v1:m:abc"));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await tier.GetAsync("llmcache:v1:m:abc"));
        await Task.Delay(300); // a background delete would have landed by now
        Assert.Single(await ObjectsAsync("cache/llmcache/v1/m/"));

        // Another process writes a fresh value under the key: nothing this reader did removes it.
        using S3CacheTier writer = Tier();
        await writer.SetAsync("llmcache:v1:m:abc", [4], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Assert.Equal([4], await tier.GetAsync("llmcache:v1:m:abc"));
    }

    [Fact]
    public async Task AReadOnlyTier_NeverWritesOrDeletes_EvenExpiredObjects()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using (S3CacheTier writer = Tier(time: clock))
        {
            await writer.SetAsync("ro:expired", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10) });
            await writer.SetAsync("ro:kept", [2], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        }
        using S3CacheTier inner = Tier(time: clock);
        var reader = new ReadOnlyTier(inner);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await reader.GetAsync("ro:expired"));
        Assert.Equal([2], await reader.GetAsync("ro:kept"));
        await inner.SetAsync("ro:new", [3], new DistributedCacheEntryOptions());
        await inner.RemoveAsync("ro:kept");
        await Task.Delay(300);
        Assert.Equal(["cache/ro/expired", "cache/ro/kept"], (await ObjectsAsync("cache/ro/")).Select(o => o.Key).Order().ToArray());
    }

    [Fact]
    public async Task AnObjectAboveTheLimit_IsAMiss_RefusedOnItsLength()
    {
        using S3CacheTier writer = Tier();
        byte[] big = new byte[5 << 20];
        Random.Shared.NextBytes(big);
        await writer.SetAsync("big", big, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        using var tier = new S3CacheTier(new S3TierOptions
        {
            Bucket = S3Server.Bucket, Prefix = "cache/", ServiceUrl = _server.ServiceUrl, AccessKey = "S3RVER", SecretKey = "S3RVER",
            OperationTimeout = TimeSpan.FromSeconds(5), MaximumValueBytes = 1 << 20,
        });
        Assert.Null(await tier.GetAsync("big")); // warm the path up

        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 5; i++)
        {
            Assert.Null(await tier.GetAsync("big"));
            Assert.Null(await tier.GetBoundedAsync("big", 1 << 20));
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 5 << 20, $"{allocated} bytes allocated for 10 refused reads of a 5 MiB object");

        TierValue? read = await tier.GetBoundedAsync("big", 6 << 20);
        Assert.Equal(big, read!.Value.Value);
        Assert.InRange(read.Value.Expires!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddHours(1)); // for promotion
    }

    [Fact]
    public void ObjectKeys_AreSanitized()
    {
        using S3CacheTier tier = Tier(prefix: "/root/");
        Assert.Equal("root/llmcache/v1/a_/b", tier.ObjectKey("llmcache:v1:a..:b"));
        Assert.Throws<ArgumentException>(() => tier.ObjectKey(new string('k', 2000)));
    }

    [Fact]
    public async Task BatchWrites_AreBoundedAndComplete()
    {
        using S3CacheTier tier = Tier(prefix: "batch/");
        var entries = Enumerable.Range(0, 20).Select(i => ($"k:{i}", new[] { (byte)i }, TimeSpan.FromHours(1))).ToList();
        await tier.SetManyAsync(entries, concurrency: 4);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal([(byte)i], (await tier.GetAsync($"k:{i}"))!);
        }
    }

    [Fact]
    public async Task AKilledServer_NeverFailsACall_AndHitsResumeWhenItIsBack()
    {
        using S3CacheTier tier = Tier();
        await using LlmCacheRuntime runtime = WithShortBreaks(tier, timeout: TimeSpan.FromSeconds(3));
        var answers = new Answers(runtime);
        await answers.AskAsync("before");
        await runtime.FlushAsync();
        _server.Kill();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("answer to after" + i, await answers.AskAsync("after" + i));
        }
        Assert.Equal("answer to before", await answers.AskAsync("before")); // still in memory
        Assert.Equal(6, answers.Calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"a dead S3 cost {clock.Elapsed}");

        _server.Start();
        await AnswersReachS3Again(runtime, answers);
        // And what was stored before the crash is served to a fresh process.
        await using var fresh = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        var freshAnswers = new Answers(fresh);
        Assert.Equal("answer to before", await freshAnswers.AskAsync("before"));
        Assert.Equal(0, freshAnswers.Calls);
    }

    [Fact]
    public async Task APausedServer_CostsAtMostAboutOneTimeout_AndHitsResumeWhenItIsBack()
    {
        using S3CacheTier tier = Tier();
        await using LlmCacheRuntime runtime = WithShortBreaks(tier, timeout: TimeSpan.FromMilliseconds(300));
        var answers = new Answers(runtime);
        await answers.AskAsync("warm"); // JIT and the connection, untimed
        await runtime.FlushAsync();
        _server.Pause();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                Assert.Equal("answer to p" + i, await answers.AskAsync("p" + i));
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"a paused S3 cost {clock.Elapsed} on call {i}");
            }
            Assert.Equal(4, answers.Calls);
        }
        finally
        {
            _server.Resume();
        }
        await AnswersReachS3Again(runtime, answers);
    }

    /// <summary>A cache over <paramref name="tier"/> whose breaker closes again within a second, so recovery shows within a test.</summary>
    private static LlmCacheRuntime WithShortBreaks(S3CacheTier tier, TimeSpan timeout) => new(new LlmCacheOptions
    {
        Tiers = { tier },
        TierResilience = new TierResilienceOptions { Timeout = timeout, BreakDuration = TimeSpan.FromSeconds(1) },
    });

    /// <summary>Asks new prompts until one is written to S3 and read back by a fresh cache: recovery needs no restart.</summary>
    private async Task AnswersReachS3Again(LlmCacheRuntime runtime, Answers answers)
    {
        using AmazonS3Client client = Client();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "answers never reached S3 again");
            string prompt = "back" + attempt;
            await answers.AskAsync(prompt);
            await runtime.FlushAsync();
            string key = Generated.LlmCacheKeys.Answers_AskAsync(prompt).Key(runtime);
            try
            {
                using GetObjectResponse found = await client.GetObjectAsync(S3Server.Bucket, "cache/" + key.Replace(':', '/'));
                return;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                await Task.Delay(200);
            }
        }
    }
}
