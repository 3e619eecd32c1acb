using CrossProject.Library;
using LlmCache.Disk;
using Xunit;

namespace LlmCache.CrossProject.Tests;

/// <summary>
/// A public [LlmCached] method of another project is cached when this project calls it: the call
/// goes through the library's own cache logic (its runtime, its private keyed state), under the
/// library's method id and key, so the two projects share entries.
/// </summary>
[Collection("Bodies")] // the library counts body runs in statics
public sealed class CrossProjectTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-crossproject-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private SqliteCacheTier Disk() => new(new DiskTierOptions { Directory = _dir });

    // On a loaded CI machine a fresh SQLite connection can take longer than the default 500 ms tier
    // timeout, which would turn the disk read these tests are about into a miss.
    private static TierResilienceOptions Patient => new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task TheApp_HitsOnDisk_AnEntryTheLibraryStored()
    {
        string question = "q-" + Guid.NewGuid();
        int before = Bodies.Assistant;
        using (SqliteCacheTier tier = Disk())
        await using (var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, TierResilience = Patient }))
        {
            // The library calls its own method: its generator intercepts that call and stores the answer.
            Assert.Equal($"pirate: {question} #{before + 1}", await new Assistant(runtime, "pirate").AskFromLibraryAsync(question));
        }
        using (SqliteCacheTier tier = Disk())
        await using (var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, TierResilience = Patient }))
        {
            using CacheProbe probe = LlmCacheScope.Observe();
            // This project's call site: intercepted here, served from the entry the library wrote.
            string answer = await new Assistant(runtime, "pirate").AskAsync(question);

            Assert.Equal($"pirate: {question} #{before + 1}", answer);
            Assert.Equal(before + 1, Bodies.Assistant);
            Assert.Equal(1, probe.Hits);
            Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
        }
    }

    [Fact]
    public async Task TheLibrarysPrivateKeyedState_StillSeparatesEntries_WhenTheAppCalls()
    {
        string question = "q-" + Guid.NewGuid();
        await using var runtime = new LlmCacheRuntime();
        int before = Bodies.Assistant;

        string pirate = await new Assistant(runtime, "pirate").AskAsync(question);
        string poet = await new Assistant(runtime, "poet").AskAsync(question);
        string pirateAgain = await new Assistant(runtime, "pirate").AskAsync(question);

        Assert.Equal(before + 2, Bodies.Assistant);
        Assert.StartsWith("poet:", poet);
        Assert.Equal(pirate, pirateAgain);
        Assert.Equal(1, runtime.Statistics.Hits);
    }

    [Fact]
    public async Task AStaticGenericLibraryMethod_IsCachedPerTypeAndValue()
    {
        string subject = "s-" + Guid.NewGuid();
        int before = Bodies.Facts;

        string first = await Facts.LookupAsync(subject);
        string second = await Facts.LookupAsync(subject);
        string other = await Facts.LookupAsync(subject.Length);

        Assert.Equal(first, second);
        Assert.StartsWith("Int32:", other);
        Assert.Equal(before + 2, Bodies.Facts);
    }
}

[CollectionDefinition("Bodies", DisableParallelization = true)]
public sealed class BodiesCollection;
