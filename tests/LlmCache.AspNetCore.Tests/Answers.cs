using LlmCache;

namespace LlmCache.AspNetCore.Tests;

/// <summary>A cached method for the endpoint tests: counts how often it really runs.</summary>
public sealed class Answers(LlmCacheRuntime cache)
{
    private readonly LlmCacheRuntime _cache = cache;
    private int _calls;

    public LlmCacheRuntime Runtime => _cache;

    /// <summary>How many times the method body ran (each one a miss).</summary>
    public int Calls => Volatile.Read(ref _calls);

    [LlmCached(Tags = ["faq"], Tenant = "tenant")]
    public Task<string> AskAsync(string tenant, string question)
    {
        int call = Interlocked.Increment(ref _calls);
        return Task.FromResult($"{tenant}/{question}/{call}");
    }

    /// <summary>Another method, without tags or tenant: removals of <see cref="AskAsync"/> must leave it alone.</summary>
    [LlmCached]
    public Task<string> SummarizeAsync(string text)
    {
        int call = Interlocked.Increment(ref _calls);
        return Task.FromResult($"summary of {text}/{call}");
    }
}
