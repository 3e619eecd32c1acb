using Microsoft.Extensions.Configuration;
using LlmCache.Disk;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LlmCache.Disk.Tests;

public sealed class Answers(LlmCacheRuntime cache)
{
    public int Calls;
    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<string> AskAsync(string prompt) { Calls++; return Task.FromResult("answer to " + prompt); }
}

/// <summary>The SQLite tier, against a real file in a temporary directory.</summary>
/// <remarks>
/// Several tests bound how long a read or write may wait for a lock another process holds; the tier's
/// reads hop to the thread pool, which parallel tests in this process can starve for a second at a
/// time. So these run alone, with the other latency-bound tests.
/// </remarks>
[Collection(TimingCollection.Name)]
public sealed class DiskTierTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-disk-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private SqliteCacheTier Tier(TimeProvider? time = null, long maxBytes = 1L << 30, string? dir = null, TimeSpan? fileCheck = null) =>
        new(new DiskTierOptions
        {
            Directory = dir ?? _dir,
            MaxBytes = maxBytes,
            SweepInterval = TimeSpan.FromHours(1),
            FileCheckInterval = fileCheck ?? new DiskTierOptions().FileCheckInterval,
        }, timeProvider: time);

    private static readonly DistributedCacheEntryOptions Hour = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

    [Fact]
    public async Task ASecondRuntime_IsServedFromDisk_WithoutCallingTheMethod()
    {
        using (var tier = Tier())
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }))
        {
            var answers = new Answers(first);
            Assert.Equal("answer to q", await answers.AskAsync("q"));
            Assert.Equal(1, answers.Calls);
        }
        using (var tier = Tier())
        await using (var second = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }))
        {
            var answers = new Answers(second);
            using CacheProbe probe = LlmCacheScope.Observe();
            Assert.Equal("answer to q", await answers.AskAsync("q"));
            Assert.Equal(0, answers.Calls);
            Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
            await answers.AskAsync("q");
            Assert.Equal(CacheSource.Memory, probe.Last!.Value.Source);
        }
    }

    [Fact]
    public async Task ThroughDependencyInjection_AddDiskTier_Persists()
    {
        for (int run = 0; run < 2; run++)
        {
            var services = new ServiceCollection();
            services.AddLlmCache(o => o.UseAsDefault = false).AddDiskTier(o => o.Directory = _dir);
            await using ServiceProvider provider = services.BuildServiceProvider();
            var answers = new Answers(provider.GetRequiredService<LlmCacheRuntime>());
            await answers.AskAsync("di");
            Assert.Equal(run == 0 ? 1 : 0, answers.Calls);
        }
    }

    [Fact]
    public void ExpiredEntries_AreMissesOnRead_AndLeftToTheSweep()
    {
        var clock = new FakeTimeProvider();
        using var tier = Tier(clock);
        tier.Set("k", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10) });
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal([1, 2, 3], tier.Get("k"));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(tier.Get("k"));
        Assert.Equal(1, tier.Statistics().Count); // a read never writes
        tier.Sweep();
        Assert.Equal(0, tier.Statistics().Count);
    }

    private static readonly DistributedCacheEntryOptions TenSeconds = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10) };

    /// <summary>The row as it is in the file, read on a connection of the test's own.</summary>
    private (long Expires, long Accessed)? Row(string key)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "llmcache.db"), Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand select = connection.CreateCommand();
        select.CommandText = "SELECT expires, accessed FROM entries WHERE key = $key";
        select.Parameters.AddWithValue("$key", key);
        using SqliteDataReader reader = select.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Another process in the middle of a write: holds the file's write lock until disposed.</summary>
    private SqliteConnection HoldWriteLock()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "llmcache.db"), Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO entries (key, value, expires, accessed, size) VALUES ('other', x'00', 0, 0, 1);";
        begin.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public async Task AReadOnlyTier_LeavesExpiredRowsAndRecencyAsTheyAre_AndNeverSweeps()
    {
        var clock = new FakeTimeProvider();
        using (var writer = Tier(clock))
        {
            writer.Set("expired", [1], TenSeconds);
            writer.Set("fresh", [2], Hour);
        }
        (long Expires, long Accessed) freshBefore = Row("fresh")!.Value;
        using var inner = new SqliteCacheTier(new DiskTierOptions
        {
            Directory = _dir,
            SweepInterval = TimeSpan.FromMilliseconds(20),
            RecencyFlushInterval = TimeSpan.FromMilliseconds(20),
        }, timeProvider: clock);
        var reader = new ReadOnlyTier(inner);
        Assert.True(inner.IsReadOnly);
        clock.Advance(TimeSpan.FromMinutes(5)); // "expired" is past its life; a hit on "fresh" would earn recency

        Assert.Null(await reader.GetAsync("expired"));
        Assert.Equal([2], await reader.GetAsync("fresh"));
        Assert.Null(await inner.GetBoundedAsync("expired", 1024));
        inner.Sweep(); // a no-op here
        inner.FlushRecency();
        await Task.Delay(300); // several sweep and flush periods

        Assert.NotNull(Row("expired"));
        Assert.Equal(freshBefore, Row("fresh"));
        await reader.SetAsync("new", [3], Hour);
        await inner.SetAsync("new", [3], Hour); // the inner tier itself refuses writes now
        await inner.RemoveAsync("fresh");
        Assert.Null(Row("new"));
        Assert.NotNull(Row("fresh"));
    }

    [Fact]
    public async Task ReadOnlyInConfiguration_NeverWritesTheFile()
    {
        var clock = new FakeTimeProvider();
        using (var writer = Tier(clock))
        {
            writer.Set("expired", [1], TenSeconds);
        }
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir, ReadOnly = true, SweepInterval = TimeSpan.FromMilliseconds(20) }, timeProvider: clock);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await tier.GetAsync("expired"));
        await Task.Delay(200);
        Assert.NotNull(Row("expired"));
        string missing = Path.Combine(_dir, "elsewhere");
        using var absent = new SqliteCacheTier(new DiskTierOptions { Directory = missing, ReadOnly = true });
        Assert.ThrowsAny<SqliteException>(() => absent.Get("k")); // a failure: the runtime counts it a miss
        Assert.False(Directory.Exists(missing)); // nothing created for a file this process only reads
    }

    [Fact]
    public async Task AValueAboveTheLimit_IsAMiss_AndIsNeverLoaded()
    {
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir, MaximumValueBytes = 1 << 20 });
        byte[] big = new byte[5 << 20];
        Random.Shared.NextBytes(big);
        tier.Set("big", big, Hour);
        tier.Set("small", [1, 2], Hour);
        Assert.Null(await tier.GetBoundedAsync("big", 1 << 20)); // warm up the path before measuring

        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 10; i++)
        {
            Assert.Null(await tier.GetBoundedAsync("big", 1 << 20));
            Assert.Null(await tier.GetAsync("big")); // MaximumValueBytes bounds the plain reads
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 5 << 20, $"{allocated} bytes allocated for 20 refused reads of a 5 MiB value");

        Assert.Equal([1, 2], (await tier.GetBoundedAsync("small", 1 << 20))!.Value.Value);
        Assert.Equal(big, (await tier.GetBoundedAsync("big", 6 << 20))!.Value.Value);
    }

    [Fact]
    public async Task AReadWhileAnotherProcessWrites_NeverWaitsForTheWriteLock()
    {
        var clock = new FakeTimeProvider();
        using var tier = Tier(clock);
        tier.Set("k", [1], Hour);
        tier.Set("expired", [2], TenSeconds);
        clock.Advance(TimeSpan.FromMinutes(2)); // the hit earns recency, "expired" is past its life
        using SqliteConnection writer = HoldWriteLock();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal([1], await tier.GetAsync("k"));
        Assert.Null(await tier.GetAsync("expired"));
        Assert.Equal([1], tier.Get("k"));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(400), $"reads took {watch.ElapsedMilliseconds} ms with the write lock held elsewhere");
    }

    [Fact]
    public async Task AWriteWhileAnotherProcessWrites_ReturnsAtOnce_AndGivesUpWithinTheBusyTimeout()
    {
        using var tier = Tier();
        tier.Set("warm", [0], Hour);
        using (SqliteConnection writer = HoldWriteLock())
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Task write = tier.SetAsync("k", [1], Hour);
            TimeSpan started = watch.Elapsed;
            Assert.True(started < TimeSpan.FromMilliseconds(100), $"SetAsync held its caller {started.TotalMilliseconds} ms");
            await Assert.ThrowsAsync<SqliteException>(() => write);
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(1000), $"the write waited {watch.ElapsedMilliseconds} ms for the lock");
        }
        await tier.SetAsync("k", [1], Hour);
        Assert.Equal([1], await tier.GetAsync("k"));
    }

    [Fact]
    public async Task TheTiersTimeout_FreesTheCaller_EvenWhileAWriteWaits()
    {
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir, BusyTimeout = TimeSpan.FromSeconds(5) });
        tier.Set("warm", [0], Hour);
        using SqliteConnection writer = HoldWriteLock();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tier.SetAsync("k", [1], Hour, timeout.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the caller waited {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Recency_IsWrittenInTheBackground()
    {
        var clock = new FakeTimeProvider();
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir, RecencyFlushInterval = TimeSpan.FromMilliseconds(50) }, timeProvider: clock);
        tier.Set("k", [1], Hour);
        long written = Row("k")!.Value.Accessed;
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([1], await tier.GetAsync("k"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (Row("k")!.Value.Accessed == written)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the recency of the hit was never written");
            await Task.Delay(20);
        }
        Assert.Equal(clock.GetUtcNow().UtcTicks, Row("k")!.Value.Accessed);
    }

    [Fact]
    public void Sweep_DeletesExpired_AndEvictsLeastRecentlyUsedPastTheCap()
    {
        var clock = new FakeTimeProvider();
        using var tier = Tier(clock, maxBytes: 1000);
        tier.Set("old", new byte[10], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5) });
        for (int i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(2));
            tier.Set("k" + i, new byte[300], Hour);
        }
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.NotNull(tier.Get("k0")); // k0 becomes the most recently used
        tier.Sweep();
        (long count, long bytes) = tier.Statistics();
        Assert.True(bytes <= 1000, $"{bytes} bytes left");
        Assert.Equal(3, count);
        Assert.Null(tier.Get("old"));
        Assert.NotNull(tier.Get("k0"));
        Assert.NotNull(tier.Get("k9"));
        Assert.Null(tier.Get("k1"));
    }

    [Fact]
    public void ACorruptFile_IsMovedAside_AndTheTierKeepsWorking()
    {
        using (var tier = Tier())
        {
            tier.Set("k", [1], Hour);
        }
        SqliteConnection.ClearAllPools();
        string file = Path.Combine(_dir, "llmcache.db");
        foreach (string extra in new[] { file + "-wal", file + "-shm" })
        {
            File.Delete(extra);
        }
        File.WriteAllBytes(file, Enumerable.Repeat((byte)0x5A, 8192).ToArray());

        using var reopened = Tier();
        Assert.Null(reopened.Get("k"));
        Assert.Contains(Directory.GetFiles(_dir), f => f.Contains(".corrupt-", StringComparison.Ordinal));
        reopened.Set("k", [2], Hour);
        Assert.Equal([2], reopened.Get("k"));
    }

    [Fact]
    public void ARemovedFile_IsRecreated_OnTheNextCall()
    {
        using var tier = Tier(fileCheck: TimeSpan.Zero);
        tier.Set("k", [1], Hour);
        Assert.Equal([1], tier.Get("k")); // the tier now holds open connections to the file
        foreach (string f in Directory.GetFiles(_dir))
        {
            File.Delete(f);
        }
        Assert.Null(tier.Get("k"));
        tier.Set("k", [3], Hour);
        Assert.Equal([3], tier.Get("k"));
    }

    [Fact]
    public async Task ManyThreadsAtOnce_ReadAndWriteTheirOwnValues()
    {
        using var tier = Tier();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                string key = $"t{t}:{i % 20}";
                byte[] value = [(byte)t, (byte)i];
                tier.Set(key, value, Hour);
                Assert.Equal(value, tier.Get(key)); // no other thread writes this key
                if (i % 7 == 0)
                {
                    tier.Remove(key);
                    Assert.Null(tier.Get(key));
                }
            }
        })));
        // Each thread's 20 keys, less those whose last write (i from 180 on) was followed by a removal.
        int removedAtTheEnd = 8 * Enumerable.Range(180, 20).Count(i => i % 7 == 0);
        Assert.Equal(8 * 20 - removedAtTheEnd, tier.Statistics().Count);
    }

    [Fact]
    public async Task ARemovedFile_IsNoticedWithinTheDefaultCheckInterval()
    {
        using var tier = Tier();
        tier.Set("k", [1], Hour);
        Assert.Equal([1], tier.Get("k"));
        foreach (string f in Directory.GetFiles(_dir))
        {
            File.Delete(f);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (tier.Get("k") is not null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the removed file was never noticed");
            await Task.Delay(100);
        }
        Assert.True(File.Exists(Path.Combine(_dir, "llmcache.db")));
    }

    [Fact]
    public void AFileAnotherProcessReplaced_IsReopened_AndNothingIsMovedAside()
    {
        using (var writer = Tier())
        {
            writer.Set("k", [1], Hour);
        }
        using var reader = Tier(fileCheck: TimeSpan.Zero);
        Assert.Equal([1], reader.Get("k")); // the reader now holds open connections to this file

        // Another process found the file corrupt, moved it aside and started a new one.
        string file = Path.Combine(_dir, "llmcache.db");
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(file + suffix))
            {
                File.Move(file + suffix, file + ".elsewhere" + suffix);
            }
        }
        using (FileStream old = File.OpenWrite(file + ".elsewhere"))
        {
            old.Write(Enumerable.Repeat((byte)0x5A, 8192).ToArray()); // the moved file is damaged: only the new one serves
        }
        using (var replacement = Tier())
        {
            replacement.Set("fresh", [2], Hour);
        }

        Assert.Equal([2], reader.Get("fresh"));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.Contains(".corrupt-", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoInstancesOnOneFile_ShareEntries()
    {
        using var a = Tier();
        using var b = Tier();
        a.Set("shared", [7], Hour);
        Assert.Equal([7], b.Get("shared"));
        b.Remove("shared");
        Assert.Null(a.Get("shared"));
    }

    [Fact]
    public async Task AHitInALowerTier_IsPromotedToTheTiersAboveIt_ForWhatIsLeftOfItsLife()
    {
        using var upper = Tier(dir: Path.Combine(_dir, "upper"));
        using var lower = Tier(dir: Path.Combine(_dir, "lower"));
        await using (var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { lower } }))
        {
            await new Answers(writer).AskAsync("p");
        }
        Assert.Equal(0, upper.Statistics().Count);
        // The entry has ten minutes left in the lower tier (the runtime's default TTL is an hour).
        long left = DateTimeOffset.UtcNow.AddMinutes(10).UtcTicks;
        using (var connection = new SqliteConnection("Data Source=" + lower.FilePath + ";Pooling=False"))
        {
            connection.Open();
            using SqliteCommand update = connection.CreateCommand();
            update.CommandText = "UPDATE entries SET expires = $expires";
            update.Parameters.AddWithValue("$expires", left);
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        await using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { upper, lower } });
        var answers = new Answers(reader);
        Assert.Equal("answer to p", await answers.AskAsync("p"));
        Assert.Equal(0, answers.Calls);
        await reader.FlushAsync(); // the promotion is written in the background
        Assert.Equal(1, upper.Statistics().Count);
        using var promoted = new SqliteConnection("Data Source=" + upper.FilePath + ";Pooling=False");
        promoted.Open();
        using SqliteCommand select = promoted.CreateCommand();
        select.CommandText = "SELECT expires FROM entries";
        Assert.Equal(left, (long)select.ExecuteScalar()!);
    }

    [Fact]
    public async Task AFailingTier_NeverFailsTheCall()
    {
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { new BrokenTier() } });
        var answers = new Answers(runtime);
        Assert.Equal("answer to x", await answers.AskAsync("x"));
        Assert.Equal("answer to x", await answers.AskAsync("x"));
        Assert.Equal(1, answers.Calls); // the in-process level still serves the second call
    }

    private sealed class BrokenTier : IDistributedCache
    {
        public byte[]? Get(string key) => throw new IOException("down");
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => throw new IOException("down");
        public void Refresh(string key) => throw new IOException("down");
        public Task RefreshAsync(string key, CancellationToken token = default) => throw new IOException("down");
        public void Remove(string key) => throw new IOException("down");
        public Task RemoveAsync(string key, CancellationToken token = default) => throw new IOException("down");
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new IOException("down");
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw new IOException("down");
    }
}

/// <summary>
/// Tests that bound wall-clock latency run alone (after the parallel ones), so another test's CPU load
/// on a two-core machine cannot be mistaken for a slow cache.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Timing";
}

/// <summary>The Polly pipeline around tiers: a hanging tier costs about one timeout, then nothing once its breaker opens.</summary>
[Collection(TimingCollection.Name)]
public sealed class TierResilienceTests
{
    private static readonly TierResilienceOptions Resilience = new()
    {
        Timeout = TimeSpan.FromMilliseconds(100),
        MinimumThroughput = 4,
        BreakDuration = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task AHangingTier_CostsATimeout_ThenNothingOnceItsBreakerOpens()
    {
        // The first call through a timeout pays for JIT compilation of the whole path; that is not the
        // latency a paused server adds, so it runs once, untimed, against a cache of its own.
        await using (var warm = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { new HangingTier() }, TierResilience = Resilience }))
        {
            await new Answers(warm).AskAsync("warm");
        }
        var hanging = new HangingTier();
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { hanging }, TierResilience = Resilience });
        var answers = new Answers(runtime);
        using var breaker = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(runtime.Meter, "llmcache.tier.breaker");
        for (int i = 0; i < 6; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("answer to h" + i, await answers.AskAsync("h" + i));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"call {i} took {clock.Elapsed}");
        }
        int callsWhenOpen = hanging.Calls;
        var fast = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            await answers.AskAsync("open" + i);
        }
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(400), $"five calls with an open breaker took {fast.Elapsed}");
        Assert.Equal(callsWhenOpen, hanging.Calls); // the open breaker spent nothing on the tier
        Assert.Contains(breaker.GetMeasurementSnapshot(), m => (string?)m.Tags["llmcache.state"] == "open");
        Assert.Equal(11, answers.Calls);
    }

    [Fact]
    public async Task WritesToASlowTier_AreNeverAwaitedByTheCaller_AndFlushWaitsForThem()
    {
        await using (var warm = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { new SlowWriteTier(TimeSpan.Zero) } }))
        {
            await new Answers(warm).AskAsync("warm"); // JIT, untimed
        }
        var slow = new SlowWriteTier(TimeSpan.FromSeconds(2));
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { slow },
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(5) },
        });
        var answers = new Answers(runtime);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("answer to w", await answers.AskAsync("w"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the caller waited {clock.Elapsed} for a tier write");
        Assert.Equal(0, slow.Completed);
        await runtime.FlushAsync();
        Assert.Equal(1, slow.Completed);
    }

    [Fact]
    public async Task WritesAndRemovals_AreRetried_ReadsNever()
    {
        var flaky = new FlakyTier(failuresPerOperation: 1);
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { flaky },
            TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(10), MinimumThroughput = 100 },
        });
        var answers = new Answers(runtime);
        Assert.Equal("answer to r", await answers.AskAsync("r"));
        await runtime.FlushAsync();
        string key = Generated.LlmCacheKeys.Answers_AskAsync("r").Key(runtime);
        Assert.Equal(1, flaky.Gets);                    // the failed read was a miss, not retried
        Assert.Equal(2, flaky.Sets);                    // the failed write was tried again…
        Assert.True(flaky.Stored.ContainsKey(key));     // …and landed

        await Generated.LlmCacheKeys.Answers_AskAsync("r").EvictAsync(runtime);
        Assert.Equal(2, flaky.Removes);
        Assert.False(flaky.Stored.ContainsKey(key));    // a lost removal would have left a stale entry
    }

    [Fact]
    public async Task WithoutRetries_AFailedWriteIsDropped()
    {
        var flaky = new FlakyTier(failuresPerOperation: 1);
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { flaky },
            TierResilience = new TierResilienceOptions { WriteRetries = 0, MinimumThroughput = 100 },
        });
        using var dropped = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(runtime.Meter, "llmcache.tier.dropped");
        await new Answers(runtime).AskAsync("d");
        await runtime.FlushAsync();
        Assert.Equal(1, flaky.Sets);
        Assert.Empty(flaky.Stored);
        Assert.Contains(dropped.GetMeasurementSnapshot(), m => (string?)m.Tags["llmcache.operation"] == "set");
    }

    /// <summary>Fails the first calls of each kind on cache entries (HybridCache's own bookkeeping keys pass untouched).</summary>
    private sealed class FlakyTier(int failuresPerOperation) : IDistributedCache
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Stored = new();
        public int Gets;
        public int Sets;
        public int Removes;

        private static bool IsEntry(string key) => key.StartsWith("llmcache:", StringComparison.Ordinal);

        public byte[]? Get(string key) => throw new NotSupportedException();
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
            IsEntry(key) && Interlocked.Increment(ref Gets) <= failuresPerOperation ? throw new IOException("flaky read") : Task.FromResult(Stored.GetValueOrDefault(key));
        public void Refresh(string key) { }
        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Remove(string key) => throw new NotSupportedException();
        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            if (IsEntry(key) && Interlocked.Increment(ref Removes) <= failuresPerOperation)
            {
                throw new IOException("flaky removal");
            }
            Stored.TryRemove(key, out _);
            return Task.CompletedTask;
        }
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (IsEntry(key) && Interlocked.Increment(ref Sets) <= failuresPerOperation)
            {
                throw new IOException("flaky write");
            }
            Stored[key] = value;
            return Task.CompletedTask;
        }
    }

    private sealed class SlowWriteTier(TimeSpan delay) : IDistributedCache
    {
        public int Completed;

        public byte[]? Get(string key) => null;
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);
        public void Refresh(string key) { }
        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Remove(string key) { }
        public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();
        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            await Task.Delay(delay, token);
            Interlocked.Increment(ref Completed);
        }
    }

    private sealed class HangingTier : IDistributedCache
    {
        public int Calls;

        public byte[]? Get(string key) => throw new NotSupportedException();
        public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(Timeout.Infinite, token);
            return null;
        }
        public void Refresh(string key) { }
        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Remove(string key) { }
        public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();
        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(Timeout.Infinite, token);
        }
    }
}

/// <summary>Tiers switched in configuration, and read-only tiers.</summary>
public sealed class TierConfigurationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-config-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<(int Calls, int Tiers)> RunOnceAsync(Dictionary<string, string?> settings)
    {
        // A generous tier timeout: under a loaded CI machine a fresh SQLite connection can take longer
        // than the default 500 ms, which would turn the read this test is about into a miss.
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(settings).AddInMemoryCollection(new Dictionary<string, string?> { ["LlmCache:TierResilience:Timeout"] = "00:00:30" }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache")).AddDiskTier(configuration.GetSection("LlmCache:Disk"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var answers = new Answers(runtime);
        await answers.AskAsync("cfg");
        // A tier registered from configuration keeps its place while switched off: count those serving.
        return (answers.Calls, runtime.Options.Tiers.Count(t => t is not ConfiguredTier { Current: null }));
    }

    [Fact]
    public async Task TheDiskTier_IsSwitchedOnAndOffInConfiguration()
    {
        var off = new Dictionary<string, string?> { ["LlmCache:UseAsDefault"] = "false", ["LlmCache:Disk:Directory"] = _dir };
        Assert.Equal((1, 0), await RunOnceAsync(off));
        Assert.Equal((1, 0), await RunOnceAsync(off));

        var on = new Dictionary<string, string?>(off) { ["LlmCache:Disk:Enabled"] = "true", ["LlmCache:Disk:MaxBytes"] = "1048576" };
        Assert.Equal((1, 1), await RunOnceAsync(on));
        Assert.Equal((0, 1), await RunOnceAsync(on)); // served from the file the first run wrote
    }

    [Fact]
    public async Task AReload_MovesTheDiskTier_TheOldFileKeepsWhatWasWrittenBefore_AndMaxTtlCapsTheNewOne()
    {
        string first = Path.Combine(_dir, "first");
        string second = Path.Combine(_dir, "second");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false",
            ["LlmCache:TierResilience:Timeout"] = "00:00:30",
            ["LlmCache:Disk:Enabled"] = "true",
            ["LlmCache:Disk:Directory"] = first,
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache")).AddDiskTier(configuration.GetSection("LlmCache:Disk"));
        string before, after;
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
            var answers = new Answers(runtime);
            await answers.AskAsync("before");
            before = Generated.LlmCacheKeys.Answers_AskAsync("before").Key(runtime);
            Assert.IsType<SqliteCacheTier>(Assert.IsType<ConfiguredTier>(runtime.Options.Tiers.Single(), exactMatch: false).Current);

            configuration["LlmCache:Disk:Directory"] = second;
            configuration["LlmCache:Disk:MaxTtl"] = "00:05:00";
            configuration.Reload();
            await answers.AskAsync("after");
            after = Generated.LlmCacheKeys.Answers_AskAsync("after").Key(runtime);
            await runtime.FlushAsync();
            Assert.Equal(2, answers.Calls);
        }
        SqliteConnection.ClearAllPools();
        using (var firstFile = new SqliteCacheTier(new DiskTierOptions { Directory = first }))
        using (var secondFile = new SqliteCacheTier(new DiskTierOptions { Directory = second }))
        {
            Assert.NotNull(await firstFile.GetAsync(before));
            Assert.Null(await firstFile.GetAsync(after));
            Assert.Null(await secondFile.GetAsync(before));
            TierValue? capped = await secondFile.GetBoundedAsync(after, long.MaxValue);
            Assert.InRange(capped!.Value.Expires!.Value, DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(5.1));
        }
    }

    [Fact]
    public async Task AReadOnlyTier_IsReadButNeverWritten()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false", ["LlmCache:Disk:Enabled"] = "true", ["LlmCache:Disk:ReadOnly"] = "true", ["LlmCache:Disk:Directory"] = _dir,
        };
        Assert.Equal((1, 1), await RunOnceAsync(settings));
        Assert.Equal((1, 1), await RunOnceAsync(settings)); // nothing was written by the first run
        using (var writer = new SqliteCacheTier(new DiskTierOptions { Directory = _dir }))
        await using (var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { writer }, TierResilience = { Timeout = TimeSpan.FromSeconds(30) } }))
        {
            await new Answers(runtime).AskAsync("cfg");
        }
        Assert.Equal((0, 1), await RunOnceAsync(settings)); // but what another writer stored is read
    }
}
