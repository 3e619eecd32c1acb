namespace LlmCache.Testing;

/// <summary>
/// A cached method with a one-minute life and a one-hour fail-safe window, whose provider can be taken
/// down: what the tier tests use to show an expired entry in the tier answers a fresh process.
/// </summary>
public sealed class FlakyAnswers(LlmCacheRuntime cache)
{
    public int Calls;

    /// <summary>While true, the provider fails as an unreachable one does.</summary>
    [NotKeyed]
    public bool Down;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1m", FailSafe = "1h")]
    public Task<string> AskAsync(string prompt)
    {
        Interlocked.Increment(ref Calls);
        return Down
            ? Task.FromException<string>(new HttpRequestException("connection refused"))
            : Task.FromResult("answer to " + prompt);
    }
}
