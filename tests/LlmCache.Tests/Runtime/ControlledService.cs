using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Runtime;

/// <summary>A service whose cached methods count their calls and answer with the call number, so a stale answer is visible.</summary>
public sealed class ControlledService(LlmCacheRuntime cache)
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h", Tags = ["answers"])]
    public Task<string> AskAsync(string prompt) => Task.FromResult($"{prompt}#{Interlocked.Increment(ref Calls)}");

    [LlmCached(Ttl = "1h", IgnoreParams = ["user"])]
    public Task<string> AskWithControlAsync(string prompt, string user, CacheControl? control = null) =>
        Task.FromResult($"{prompt}#{Interlocked.Increment(ref Calls)}");

    [LlmCached(Ttl = "1h", Tenant = "tenant")]
    public Task<string> AskForTenantAsync(string tenant, string prompt) => Task.FromResult($"{tenant}:{prompt}#{Interlocked.Increment(ref Calls)}");

    [LlmCached(Ttl = "1h", Tags = ["other"])]
    public Task<string> OtherAsync(string prompt) => Task.FromResult($"other {prompt}#{Interlocked.Increment(ref Calls)}");

    [LlmCached(Ttl = "1h")]
    public async IAsyncEnumerable<string> StreamAsync(string prompt)
    {
        int call = Interlocked.Increment(ref Calls);
        await Task.Yield();
        yield return $"{prompt}#{call}";
    }

    public static (ControlledService Service, FakeTimeProvider Clock, LlmCacheRuntime Runtime) Create(Action<LlmCacheOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var options = new LlmCacheOptions();
        configure?.Invoke(options);
        var runtime = new LlmCacheRuntime(options, clock);
        return (new ControlledService(runtime), clock, runtime);
    }
}
