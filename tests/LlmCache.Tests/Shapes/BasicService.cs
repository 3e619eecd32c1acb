using LlmCache;

namespace LlmCache.Tests.Shapes;

public sealed class BasicService
{
    private readonly LlmCacheRuntime _cache;

    public BasicService(LlmCacheRuntime cache) => _cache = cache;

    public int Calls;

    [LlmCached(Ttl = "1h")]
    public async Task<string> AskAsync(string prompt, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Calls);
        await Task.Yield();
        return "answer to " + prompt;
    }
}
