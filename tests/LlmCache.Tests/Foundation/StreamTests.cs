namespace LlmCache.Tests.Foundation;

/// <summary>IAsyncEnumerable results: passed through live, stored whole on completion, replayed on a hit.</summary>
public sealed class StreamTests : IDisposable
{
    private readonly LlmCacheRuntime _runtime = new();
    private readonly ShapeService _s;

    public StreamTests() => _s = new ShapeService(_runtime);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task ItemsReachTheCallerAsTheyArrive()
    {
        using var yielded = new SemaphoreSlim(0);
        using var proceed = new SemaphoreSlim(0);
        var seen = new List<string>();
        Task consume = Task.Run(async () =>
        {
            await foreach (string item in _s.Stream("live", 3, yielded, proceed))
            {
                seen.Add(item);
                // The producer waits for this release before its next item: a runtime that buffered
                // the stream before handing it over would never get here.
                proceed.Release();
            }
        });
        await consume.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["live-0", "live-1", "live-2"], seen);
    }

    [Fact]
    public async Task ACompletedStream_IsReplayedOnAHit_WithoutRunningTheMethod()
    {
        Assert.Equal(["r-0", "r-1"], await Collect(_s.Stream("r", 2)));
        Assert.Equal(["r-0", "r-1"], await Collect(_s.Stream("r", 2)));
        Assert.Equal(1, _s.Calls);
    }

    [Fact]
    public async Task AnAbandonedStream_StoresNothing()
    {
        await foreach (string item in _s.Stream("a", 3))
        {
            break;
        }
        Assert.Equal(["a-0", "a-1", "a-2"], await Collect(_s.Stream("a", 3)));
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task AFailedStream_StoresNothing_AndTheCallerSeesTheFailure()
    {
        var seen = new List<string>();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (string item in _s.Stream("f", 3, fail: true))
            {
                seen.Add(item);
            }
        });
        Assert.Equal(["f-0", "f-1"], seen);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Collect(_s.Stream("f", 3, fail: true)));
        Assert.Equal(2, _s.Calls);
    }

    private static async Task<List<string>> Collect(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (string item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
