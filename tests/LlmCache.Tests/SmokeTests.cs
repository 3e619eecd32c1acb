using LlmCache.Tests.Shapes;

namespace LlmCache.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task SecondIdenticalCall_IsServedFromTheCache()
    {
        using var runtime = new LlmCacheRuntime();
        var service = new BasicService(runtime);
        Assert.Equal("answer to a", await service.AskAsync("a"));
        Assert.Equal("answer to a", await service.AskAsync("a"));
        Assert.Equal(1, service.Calls);
        Assert.Equal("answer to b", await service.AskAsync("b"));
        Assert.Equal(2, service.Calls);
    }
}
