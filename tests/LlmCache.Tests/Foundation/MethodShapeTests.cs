namespace LlmCache.Tests.Foundation;

/// <summary>Every call shape an interceptor can reach is served from the cache.</summary>
public sealed class MethodShapeTests : IDisposable
{
    private readonly LlmCacheRuntime _runtime = new();
    private readonly ShapeService _s;

    public MethodShapeTests() => _s = new ShapeService(_runtime);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task NamedArgumentsInAnyOrder_AndOmittedDefaults_ShareTheKey()
    {
        await _s.Defaults("p");
        await _s.Defaults("p", 3);
        await _s.Defaults(style: null, prompt: "p", level: 3);
        await _s.Defaults(level: 3, prompt: "p");
        Assert.Equal(1, _s.Calls);
        await _s.Defaults("p", style: "x");
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task ParamsArrays_AreKeyedByTheirItems()
    {
        await _s.Params("h", "a", "b");
        await _s.Params("h", ["a", "b"]);
        Assert.Equal(1, _s.Calls);
        await _s.Params("h");
        await _s.Params("h", "a");
        Assert.Equal(3, _s.Calls);
    }

    [Fact]
    public async Task CallsInLambdasLocalFunctionsAndNullConditionals_AreIntercepted()
    {
        Func<Task<string>> lambda = () => _s.TwoStrings("l", "1");
        await lambda();
        await Local();
        ShapeService? maybe = _s;
        await (maybe?.TwoStrings("l", "1") ?? Task.FromResult(""));
        ShapeService? none = null;
        Assert.Null(none?.TwoStrings("l", "1"));
        Assert.Equal(1, _s.Calls);

        Task<string> Local() => _s.TwoStrings("l", "1");
    }

    [Fact]
    public async Task NestedTypes_UseTheRuntimeTheyHold()
    {
        using var own = new LlmCacheRuntime();
        var nested = new ShapeService.Nested(own);
        await nested.AskAsync("n");
        await nested.AskAsync("n");
        Assert.Equal(1, nested.Calls);
        Assert.Equal(1, own.Statistics.Hits);
        Assert.Equal(0, _runtime.Statistics.Hits + _runtime.Statistics.Misses);
    }

    [Fact]
    public async Task TwoInstancesWithTheirOwnRuntimes_NeverShareEntries()
    {
        using var other = new LlmCacheRuntime();
        var second = new ShapeService(other);
        await _s.TwoStrings("iso", "1");
        await second.TwoStrings("iso", "1");
        Assert.Equal(1, _s.Calls);
        Assert.Equal(1, second.Calls);
        await second.TwoStrings("iso", "1");
        Assert.Equal(1, second.Calls);
    }

    [Fact]
    public async Task StaticAndExtensionMethods_UseTheTypesStaticRuntime_AndKeyTheReceiver()
    {
        using var runtime = new LlmCacheRuntime();
        StaticService.Runtime = runtime;
        int before = StaticService.Calls;
        await StaticService.AskAsync("s");
        await StaticService.AskAsync("s");
        Assert.Equal(before + 1, StaticService.Calls);
        Assert.Equal("abab", await "ab".ShoutAsync(2));
        Assert.Equal("abab", await "ab".ShoutAsync(2));
        Assert.Equal("cdcd", await "cd".ShoutAsync(2));
        Assert.Equal(before + 3, StaticService.Calls);
        Assert.Equal(2, runtime.Statistics.Hits);
    }

    [Fact]
    public async Task Exceptions_AreNeverCached()
    {
        var first = await Assert.ThrowsAsync<InvalidOperationException>(() => _s.Throws("x"));
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => _s.Throws("x"));
        Assert.Equal("boom 1", first.Message);
        Assert.Equal("boom 2", second.Message);
        Assert.Equal(0, _runtime.Statistics.Errors);
    }

    [Fact]
    public async Task ConcurrentIdenticalMisses_RunTheMethodOnce()
    {
        var gate = new TaskCompletionSource();
        Task<string>[] calls = Enumerable.Range(0, 10).Select(_ => _s.Gated("same", gate)).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        string[] results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.Equal("same", r));
        Assert.Equal(1, _s.Calls);
    }

    [Fact]
    public async Task DisabledRuntime_SendsEveryCallToTheMethod()
    {
        _runtime.Enabled = false;
        await _s.TwoStrings("d", "1");
        await _s.TwoStrings("d", "1");
        Assert.Equal(2, _s.Calls);
    }
}
