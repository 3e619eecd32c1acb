namespace LlmCache.Tests.Review;

public class RequestBase
{
    public string Model = "";
}

public sealed class FieldRequest : RequestBase
{
    public string Prompt { get; set; } = "";
}

public sealed class Review2Service(LlmCacheRuntime cache)
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<string> FieldAsync(FieldRequest request)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(request.Model + "/" + request.Prompt);
    }
}

/// <summary>Second review's findings: each test failed on the code it was written against.</summary>
public sealed class Review2Tests
{
    [Fact]
    public async Task APublicFieldOfABaseClass_IsKeyed()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("a/p", await service.FieldAsync(new FieldRequest { Model = "a", Prompt = "p" }));
        Assert.Equal("b/p", await service.FieldAsync(new FieldRequest { Model = "b", Prompt = "p" }));
        Assert.Equal(2, service.Calls);
    }
}
