namespace LlmCache.Tests.Review;

public class RequestBase
{
    public string Model = "";
}

public sealed class FieldRequest : RequestBase
{
    public string Prompt { get; set; } = "";
}

public sealed class StyledText(string text, string style)
{
    public string Text { get; } = text;

    public string Render() => style + ":" + Text;
}

public sealed class InternalStyle
{
    public string Text { get; set; } = "";
    internal string Style { get; set; } = "";
}

/// <summary>A request whose trace id never reaches the model: declared irrelevant, so calls share entries.</summary>
public sealed class Traced
{
    public string Text { get; set; } = "";
    [NotKeyed] internal string TraceId { get; set; } = "";
}

public class Thread2 : List<string>
{
    public string Topic { get; set; } = "";
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

    [LlmCached(Ttl = "1h")]
    public Task<string> TracedAsync(Traced request)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(request.Text);
    }

    // These two prove the runtime refuses hidden state (LLMC015 warns of it at compile time).
#pragma warning disable LLMC015
    [LlmCached(Ttl = "1h")]
    public Task<string> StyledAsync(StyledText text)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(text.Render());
    }

    [LlmCached(Ttl = "1h")]
    public Task<string> InternalAsync(InternalStyle text)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(text.Style + ":" + text.Text);
    }
#pragma warning restore LLMC015

    [LlmCached(Ttl = "1h")]
    public Task<string> GenericAsync<T>(T value)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(value is Thread2 t ? t.Topic + ":" + string.Join(",", t) : "");
    }

    [LlmCached(Ttl = "1h")]
    public Task<string> ListAsync(IReadOnlyList<string> items)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(items is Thread2 t ? t.Topic + ":" + string.Join(",", t) : "");
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

    [Fact]
    public async Task StateInAPrivateField_IsNeverKeyedApproximately()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("bold:x", await service.StyledAsync(new StyledText("x", "bold")));
        Assert.Equal("plain:x", await service.StyledAsync(new StyledText("x", "plain")));
    }

    [Fact]
    public async Task AnInternalProperty_IsNeverKeyedApproximately()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("bold:x", await service.InternalAsync(new InternalStyle { Text = "x", Style = "bold" }));
        Assert.Equal("plain:x", await service.InternalAsync(new InternalStyle { Text = "x", Style = "plain" }));
    }

    [Fact]
    public async Task ACollectionTypeOfYours_KeysItsMembers_ThroughAGenericParameter()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("a:x", await service.GenericAsync(new Thread2 { "x" }.With("a")));
        Assert.Equal("b:x", await service.GenericAsync(new Thread2 { "x" }.With("b")));
    }

    [Fact]
    public async Task ACollectionTypeOfYours_KeysItsMembers_PassedAsAFrameworkInterface()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("a:x", await service.ListAsync(new Thread2 { "x" }.With("a")));
        Assert.Equal("b:x", await service.ListAsync(new Thread2 { "x" }.With("b")));
    }

    [Fact]
    public async Task StateMarkedNotKeyed_IsLeftOutOnPurpose_AndTheCallIsCached()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions());
        var service = new Review2Service(runtime);
        Assert.Equal("x", await service.TracedAsync(new Traced { Text = "x", TraceId = "t1" }));
        Assert.Equal("x", await service.TracedAsync(new Traced { Text = "x", TraceId = "t2" }));
        Assert.Equal(1, service.Calls);
    }
}

internal static class Thread2Extensions
{
    public static Thread2 With(this Thread2 thread, string topic)
    {
        thread.Topic = topic;
        return thread;
    }
}
