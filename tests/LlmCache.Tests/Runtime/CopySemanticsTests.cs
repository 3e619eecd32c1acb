using LlmCache.Generated;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Runtime;

public sealed record FrozenAnswer(string Text, int Score);

/// <summary>Stands for a provider SDK's own response object (large, mutable, never serialized).</summary>
public sealed class ProviderResponse
{
    public byte[] Payload { get; } = new byte[1024];
}

public sealed class MutableAnswer
{
    public string Text { get; set; } = "";
    public List<string> Notes { get; set; } = [];
}

public sealed class ResultService(LlmCacheRuntime cache)
{
    public int Calls;
    public LlmCacheRuntime Cache => cache;

    [LlmCached]
    public Task<ChatResponse> ChatAsync(string prompt)
    {
        Calls++;
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent("answer to " + prompt) { RawRepresentation = new object() }])
        {
            RawRepresentation = new object(),
        })
        {
            ModelId = "m",
            Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 4 },
            RawRepresentation = new ProviderResponse(),
        });
    }

    [LlmCached] public Task<FrozenAnswer> FrozenAsync(string prompt) { Calls++; return Task.FromResult(new FrozenAnswer(prompt, 1)); }

    [LlmCached] public ValueTask<MutableAnswer> MutableAsync(string prompt) { Calls++; return new(new MutableAnswer { Text = prompt, Notes = ["n"] }); }

    [LlmCached] public Task<List<string>> ListAsync(string prompt) { Calls++; return Task.FromResult(new List<string> { prompt }); }

    [LlmCached] public async IAsyncEnumerable<MutableAnswer> StreamAsync(string prompt)
    {
        Calls++;
        await Task.Yield();
        yield return new MutableAnswer { Text = prompt };
    }
}

/// <summary>One caller mutating its result never changes what another caller gets.</summary>
public sealed class CopySemanticsTests
{
    [Fact]
    public async Task ChatResponses_AreCopiedPerCaller()
    {
        using var runtime = new LlmCacheRuntime();
        var s = new ResultService(runtime);
        ChatResponse first = await s.ChatAsync("q");
        first.Messages[0].Contents.Clear();
        first.Messages.Add(new ChatMessage(ChatRole.User, "injected"));
        first.Usage!.InputTokenCount = 999;

        ChatResponse second = await s.ChatAsync("q");
        Assert.Single(second.Messages);
        Assert.Equal("answer to q", second.Text);
        Assert.Equal(3, second.Usage!.InputTokenCount);
        ((TextContent)second.Messages[0].Contents[0]).Text = "changed";

        ChatResponse third = await s.ChatAsync("q");
        Assert.Equal("answer to q", third.Text);
        Assert.Equal("m", third.ModelId);
        Assert.NotSame(second, third);
        Assert.Equal(1, s.Calls);
    }

    [Fact]
    public async Task AHit_CarriesNoProviderObject_AsFromATier()
    {
        using var runtime = new LlmCacheRuntime();
        var s = new ResultService(runtime);
        ChatResponse fresh = await s.ChatAsync("raw");
        Assert.IsType<ProviderResponse>(fresh.RawRepresentation); // the caller of a miss gets the method's own object

        ChatResponse hit = await s.ChatAsync("raw");
        Assert.Null(hit.RawRepresentation);                     // the cache keeps no provider object alive,
        Assert.Null(hit.Messages[0].RawRepresentation);         // shares none between callers,
        Assert.Null(hit.Messages[0].Contents[0].RawRepresentation); // and a hit looks as one from a tier does
        Assert.Equal("answer to raw", hit.Text);
        Assert.Equal(1, s.Calls);
    }

    [Fact]
    public async Task ImmutableResults_AreSharedAsTheyAre()
    {
        using var runtime = new LlmCacheRuntime();
        var s = new ResultService(runtime);
        FrozenAnswer a = await s.FrozenAsync("f");
        FrozenAnswer b = await s.FrozenAsync("f");
        FrozenAnswer c = await s.FrozenAsync("f");
        Assert.Same(b, c);
        Assert.Equal(a, b);
        Assert.Equal(1, s.Calls);
    }

    [Fact]
    public async Task OtherMutableResults_AreCopiedToo()
    {
        using var runtime = new LlmCacheRuntime();
        var s = new ResultService(runtime);
        MutableAnswer first = await s.MutableAsync("m");
        first.Text = "mutated";
        first.Notes.Add("more");
        MutableAnswer second = await s.MutableAsync("m");
        Assert.Equal("m", second.Text);
        Assert.Equal(["n"], second.Notes);
        second.Notes.Clear();
        Assert.Equal(["n"], (await s.MutableAsync("m")).Notes);

        List<string> list = await s.ListAsync("l");
        list.Add("x");
        Assert.Equal(["l"], await s.ListAsync("l"));
        Assert.Equal(2, s.Calls);
    }

    [Fact]
    public async Task StreamedItems_AreCopiedOnReplay()
    {
        using var runtime = new LlmCacheRuntime();
        var s = new ResultService(runtime);
        await foreach (MutableAnswer item in s.StreamAsync("s"))
        {
            item.Text = "mutated";
        }
        await foreach (MutableAnswer item in s.StreamAsync("s"))
        {
            Assert.Equal("s", item.Text);
            item.Text = "again";
        }
        await foreach (MutableAnswer item in s.StreamAsync("s"))
        {
            Assert.Equal("s", item.Text);
        }
        Assert.Equal(1, s.Calls);
    }

    [Fact]
    public async Task TheInProcessLevel_IsBounded_LeastRecentlyUsedFirst()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { MemoryMaxEntries = 20 });
        var s = new ResultService(runtime);
        await s.FrozenAsync("keep");
        for (int i = 0; i < 100; i++)
        {
            await s.FrozenAsync("keep");
            await s.FrozenAsync("item" + i);
        }
        Assert.InRange(runtime.LocalEntryCount, 1, 20);
        int before = s.Calls;
        await s.FrozenAsync("keep");
        Assert.Equal(before, s.Calls);
        await s.FrozenAsync("item0");
        Assert.Equal(before + 1, s.Calls);
    }

    [Fact]
    public async Task RemovingATenantKey_EvictsThatTenantsEntryOnly()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskForTenantAsync("acme", "q");
            await service.AskForTenantAsync("globex", "q");
            await runtime.RemoveAsync(LlmCacheKeys.ControlledService_AskForTenantAsync("acme", "q").Key(runtime));
            Assert.Equal("acme:q#3", await service.AskForTenantAsync("acme", "q"));
            Assert.Equal("globex:q#2", await service.AskForTenantAsync("globex", "q"));
        }
    }
}
