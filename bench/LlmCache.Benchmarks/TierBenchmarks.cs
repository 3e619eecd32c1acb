using LlmCache.Testing;
using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using LlmCache.Disk;
using LlmCache.Redis;
using LlmCache.S3;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace LlmCache.Benchmarks;

/// <summary>
/// A 2 KB hit in each tier against the raw client reading the same value, with real servers started
/// here (redis-server from the PATH, s3rver from the repository's .tools folder).
/// </summary>
[MemoryDiagnoser]
public class TierBenchmarks
{
    private const string Key = "llmcache:v1:Bench.Agent.AskAsync.0123456789abcdef:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly byte[] _value = new byte[2048];
    private readonly List<Process> _servers = [];
    private string _dir = null!;
    private SqliteCacheTier _disk = null!;
    private SqliteConnection _sqlite = null!;
    private SqliteCommand _select = null!;
    private RedisCacheTier _redisTier = null!;
    private RedisCacheTier _redisPlain = null!;
    private RedisCacheTier _redisCompressed = null!;
    private byte[] _answer = null!;
    private ConnectionMultiplexer _redis = null!;
    private S3CacheTier _s3Tier = null!;
    private AmazonS3Client _s3 = null!;
    private string _objectKey = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        Random.Shared.NextBytes(_value);
        _dir = Directory.CreateTempSubdirectory("llmcache-bench-").FullName;
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

        _disk = new SqliteCacheTier(new DiskTierOptions { Directory = Path.Combine(_dir, "disk") });
        _disk.Set(Key, _value, options);
        _sqlite = new SqliteConnection($"Data Source={_disk.FilePath}");
        _sqlite.Open();
        _select = _sqlite.CreateCommand();
        _select.CommandText = "SELECT value FROM entries WHERE key = $key";
        _select.Parameters.AddWithValue("$key", Key);

        int redisPort = LoopbackPorts.Free();
        Start("redis-server", "--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        WaitFor(redisPort);
        _redisTier = new RedisCacheTier(new RedisTierOptions { Configuration = $"127.0.0.1:{redisPort}" });
        await _redisTier.SetAsync(Key, _value, options);
        _redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort}");
        // A long answer as the runtime stores it (JSON): plain against Brotli-compressed.
        _answer = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(ChatWorkload.LongAnswer(), Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions);
        _redisPlain = new RedisCacheTier(new RedisTierOptions { Configuration = $"127.0.0.1:{redisPort}", KeyPrefix = "plain:", CompressionThreshold = -1 });
        _redisCompressed = new RedisCacheTier(new RedisTierOptions { Configuration = $"127.0.0.1:{redisPort}", KeyPrefix = "brotli:" });
        await _redisPlain.SetAsync(Key, _answer, options);
        await _redisCompressed.SetAsync(Key, _answer, options);
        long plainBytes = await _redis.GetDatabase().StringLengthAsync("plain:" + Key);
        long compressedBytes = await _redis.GetDatabase().StringLengthAsync("brotli:" + Key);
        Console.WriteLine($"// long answer: {_answer.Length} B as JSON, stored as {plainBytes} B plain and {compressedBytes} B compressed ({(double)plainBytes / compressedBytes:F1}x smaller)");

        int s3Port = LoopbackPorts.Free();
        Start(FindS3rver(), "-d", Path.Combine(_dir, "s3"), "-a", "127.0.0.1", "-p", s3Port.ToString(), "-s", "--configure-bucket", "bench");
        WaitFor(s3Port);
        var s3Options = new S3TierOptions { Bucket = "bench", ServiceUrl = $"http://127.0.0.1:{s3Port}", AccessKey = "S3RVER", SecretKey = "S3RVER" };
        _s3Tier = new S3CacheTier(s3Options);
        await _s3Tier.SetAsync(Key, _value, options);
        _objectKey = _s3Tier.ObjectKey(Key);
        _s3 = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"),
            new AmazonS3Config { ServiceURL = s3Options.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _select.Dispose();
        _sqlite.Dispose();
        _disk.Dispose();
        _redisTier.Dispose();
        _redisPlain.Dispose();
        _redisCompressed.Dispose();
        _redis.Dispose();
        _s3Tier.Dispose();
        _s3.Dispose();
        foreach (Process server in _servers)
        {
            server.Kill(entireProcessTree: true);
            server.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark] public Task<byte[]?> Disk_Tier() => _disk.GetAsync(Key);
    [Benchmark] public byte[] Disk_RawSqlite() => (byte[])_select.ExecuteScalar()!;

    [Benchmark] public Task<byte[]?> Redis_Tier() => _redisTier.GetAsync(Key);
    [Benchmark] public async Task<byte[]?> Redis_RawStringGet() => await _redis.GetDatabase().StringGetAsync(Key);

    [Benchmark] public Task<byte[]?> Redis_LongAnswer_Plain() => _redisPlain.GetAsync(Key);
    [Benchmark] public Task<byte[]?> Redis_LongAnswer_Compressed() => _redisCompressed.GetAsync(Key);

    [Benchmark] public Task<byte[]?> S3_Tier() => _s3Tier.GetAsync(Key);

    [Benchmark]
    public async Task<byte[]> S3_RawGetObject()
    {
        using GetObjectResponse response = await _s3.GetObjectAsync("bench", _objectKey);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private void Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers.Add(process);
    }

    private static string FindS3rver()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".tools", "node_modules", ".bin", "s3rver");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("s3rver not found: run eng/test.sh once, which installs it");
    }

    private static void WaitFor(int port)
    {
        var clock = Stopwatch.StartNew();
        while (!LoopbackPorts.Accepts(port))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"nothing listens on {port}");
            }
            Thread.Sleep(50);
        }
    }

}
