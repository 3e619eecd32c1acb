using System.Globalization;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using LlmCache.Redis;
using LlmCache.Redis.Tests;
using LlmCache.S3;
using LlmCache.S3.Tests;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>The CLI against a real s3rver and redis-server, both started on 127.0.0.1 and stopped by the tests.</summary>
public sealed class S3CliTests : IDisposable
{
    private const string RegionPrefix = "region2/";
    private readonly S3Server _s3 = new();
    private readonly RedisServer _redis = new();
    private readonly string _folder = CliTestKit.TempFolder();

    public void Dispose()
    {
        _s3.Dispose();
        _redis.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string S3Section(string prefix) =>
        $"\"Bucket\": \"{S3Server.Bucket}\", \"Prefix\": \"{prefix}\", \"ServiceUrl\": \"{_s3.ServiceUrl}\", \"AccessKey\": \"S3RVER\", \"SecretKey\": \"S3RVER\", \"OperationTimeout\": \"00:00:10\"";

    private S3CacheTier S3Tier(string prefix) => new(new S3TierOptions
    {
        Bucket = S3Server.Bucket, Prefix = prefix, ServiceUrl = _s3.ServiceUrl, AccessKey = "S3RVER", SecretKey = "S3RVER",
        OperationTimeout = TimeSpan.FromSeconds(10),
    });

    private AmazonS3Client Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config { ServiceURL = _s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    private async Task<List<S3Object>> ObjectsAsync(string prefix)
    {
        using AmazonS3Client client = Client();
        ListObjectsV2Response page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = prefix });
        return page.S3Objects ?? [];
    }

    [Fact]
    public async Task CopyRedisToANewS3Prefix_ObjectsCarryTheRemainingLifetime_AndTheS3TierServesThem()
    {
        string source = CliTestKit.WriteConfig(_folder, redis: $"\"Configuration\": \"{_redis.Configuration}\", \"OperationTimeout\": \"00:00:05\"");
        string target = CliTestKit.WriteConfig(_folder, s3: S3Section(RegionPrefix), name: "region2.json");
        using (var tier = new RedisCacheTier(new RedisTierOptions { Configuration = _redis.Configuration, OperationTimeout = TimeSpan.FromSeconds(5) }))
        await using (LlmCacheRuntime runtime = CliTestKit.Runtime(CliTestKit.Namespace, tier))
        {
            var bot = new SupportBot(runtime);
            for (int i = 0; i < 12; i++)
            {
                await bot.AnswerAsync("q" + i);
            }
            await runtime.FlushAsync();
        }

        JsonElement copy = await CliTestKit.JsonAsync(0, "copy", "--config", source, "--from", "redis", "--to", "s3", "--to-config", target);
        Assert.Equal(12, copy.GetProperty("copied").GetInt32());

        List<S3Object> objects = await ObjectsAsync(RegionPrefix + "llmcache/clitest/");
        Assert.Equal(12, objects.Count);
        using (AmazonS3Client client = Client())
        {
            GetObjectMetadataResponse head = await client.GetObjectMetadataAsync(S3Server.Bucket, objects[0].Key);
            long expires = long.Parse(head.Metadata[S3CacheTier.ExpiresMetadata], CultureInfo.InvariantCulture);
            // Redis held the 1h entries a moment ago: the copies expire when they would have, not an hour from now plus the copy time.
            Assert.InRange(new DateTimeOffset(expires, TimeSpan.Zero) - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
        }

        using S3CacheTier region = S3Tier(RegionPrefix);
        await using LlmCacheRuntime served = CliTestKit.Runtime(CliTestKit.Namespace, region);
        var again = new SupportBot(served);
        Assert.Equal("answer to q3", await again.AnswerAsync("q3"));
        Assert.Equal(0, again.Calls);

        JsonElement stats = await CliTestKit.JsonAsync(0, "stats", "--config", target);
        Assert.Equal(12, stats.GetProperty("tiers")[0].GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task PurgeByNamespaceAndByTag_DeleteTheObjectsFromS3()
    {
        string config = CliTestKit.WriteConfig(_folder, s3: S3Section("llm/"));
        foreach (string @namespace in new[] { "old", CliTestKit.Namespace })
        {
            using S3CacheTier tier = S3Tier("llm/");
            await using LlmCacheRuntime runtime = CliTestKit.Runtime(@namespace, tier);
            var bot = new SupportBot(runtime);
            await bot.AnswerAsync("a");
            await bot.InvoiceAsync("x");
            await bot.InvoiceAsync("y");
            await runtime.FlushAsync();
        }
        Assert.Equal(3, (await ObjectsAsync("llm/llmcache/old/")).Count);

        JsonElement purge = await CliTestKit.JsonAsync(0, "purge", "--config", config, "--namespace", "old");
        Assert.Equal(3, purge.GetProperty("tiers")[0].GetProperty("deleted").GetInt32());
        Assert.Empty(await ObjectsAsync("llm/llmcache/old/"));

        await CliTestKit.JsonAsync(0, "purge", "--config", config, "--tag", "billing", "--manifest", AppContext.BaseDirectory);
        List<S3Object> left = await ObjectsAsync("llm/llmcache/clitest/");
        Assert.DoesNotContain(left, o => o.Key.Contains("InvoiceAsync", StringComparison.Ordinal));
        Assert.Single(left, o => o.Key.Contains("AnswerAsync", StringComparison.Ordinal));
    }
}
