using LlmCache.Generated;

namespace LlmCache.Tests.Runtime;

/// <summary>An agent whose persona, a primary-constructor parameter, is part of every key.</summary>
public sealed class PersonaAgent(LlmCacheRuntime cache, [CacheKey] string persona)
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h")]
    public Task<string> AskAsync(string prompt) => Task.FromResult($"{persona}: {prompt} #{Interlocked.Increment(ref Calls)}");
}

/// <summary>Keyed state in a private field and a property; an audience declared not to change answers.</summary>
public sealed class ModelAgent(LlmCacheRuntime cache, string model)
{
    [CacheKey] private readonly string _model = model;

    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [CacheKey] public double Temperature { get; init; }

    [NotKeyed] public string Audience { get; init; } = "";

    [LlmCached(Ttl = "1h")]
    public Task<string> AskAsync(string prompt) =>
        Task.FromResult($"{_model}@{Temperature} for {Audience}: {prompt} #{Interlocked.Increment(ref Calls)}");
}

/// <summary>A receiver that writes its own key: all of its state is in it, no marks needed.</summary>
public sealed class ShelfAgent(LlmCacheRuntime cache, string owner) : ICacheKeyWritable
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    public void WriteCacheKey(KeyWriter writer) => writer.WriteString(owner);

    [LlmCached(Ttl = "1h")]
    public Task<string> DescribeAsync(int item) => Task.FromResult($"{owner}'s item {item} #{Interlocked.Increment(ref Calls)}");
}

/// <summary>Instances that differ in keyed state never share entries; instances alike still do (LLMC014).</summary>
public sealed class InstanceStateTests
{
    [Fact]
    public async Task TwoInstances_WithDifferentCacheKeyPersonas_DoNotShareEntries()
    {
        using var runtime = new LlmCacheRuntime();
        var pirate = new PersonaAgent(runtime, "pirate");
        var lawyer = new PersonaAgent(runtime, "lawyer");

        Assert.Equal("pirate: q #1", await pirate.AskAsync("q"));
        Assert.Equal("lawyer: q #1", await lawyer.AskAsync("q"));
        Assert.Equal("pirate: q #1", await pirate.AskAsync("q"));
        Assert.Equal("lawyer: q #1", await lawyer.AskAsync("q"));

        Assert.Equal(1, pirate.Calls);
        Assert.Equal(1, lawyer.Calls);
    }

    [Fact]
    public async Task TwoInstances_WithTheSamePersona_ShareEntries()
    {
        using var runtime = new LlmCacheRuntime();
        var first = new PersonaAgent(runtime, "pirate");
        var second = new PersonaAgent(runtime, "pirate");

        Assert.Equal("pirate: q #1", await first.AskAsync("q"));
        Assert.Equal("pirate: q #1", await second.AskAsync("q"));

        Assert.Equal(0, second.Calls);
    }

    [Fact]
    public async Task PrivateFieldAndProperty_EnterTheKey_ANotKeyedMemberDoesNot()
    {
        using var runtime = new LlmCacheRuntime();
        var mini = new ModelAgent(runtime, "mini") { Temperature = 0, Audience = "a" };
        var large = new ModelAgent(runtime, "large") { Temperature = 0, Audience = "a" };
        var warm = new ModelAgent(runtime, "mini") { Temperature = 0.7, Audience = "a" };
        var otherAudience = new ModelAgent(runtime, "mini") { Temperature = 0, Audience = "b" };

        Assert.Equal("mini@0 for a: q #1", await mini.AskAsync("q"));
        Assert.Equal("large@0 for a: q #1", await large.AskAsync("q"));
        Assert.Equal("mini@0.7 for a: q #1", await warm.AskAsync("q"));
        // Declared [NotKeyed]: the promise is that it does not matter, so the entry is shared.
        Assert.Equal("mini@0 for a: q #1", await otherAudience.AskAsync("q"));

        Assert.Equal((1, 1, 1, 0), (mini.Calls, large.Calls, warm.Calls, otherAudience.Calls));
    }

    [Fact]
    public async Task AReceiverThatWritesItsOwnKey_IsKeyedWhole()
    {
        using var runtime = new LlmCacheRuntime();
        var ann = new ShelfAgent(runtime, "ann");
        var bob = new ShelfAgent(runtime, "bob");

        Assert.Equal("ann's item 1 #1", await ann.DescribeAsync(1));
        Assert.Equal("bob's item 1 #1", await bob.DescribeAsync(1));
        Assert.Equal("ann's item 1 #1", await ann.DescribeAsync(1));

        Assert.Equal((1, 1), (ann.Calls, bob.Calls));
    }

    [Fact]
    public void TypedKeyApi_TakesTheInstance_AndExplainsItsParts()
    {
        using var runtime = new LlmCacheRuntime();
        var pirate = new PersonaAgent(runtime, "pirate");
        var lawyer = new PersonaAgent(runtime, "lawyer");

        Assert.NotEqual(LlmCacheKeys.PersonaAgent_AskAsync(pirate, "q").Key(runtime), LlmCacheKeys.PersonaAgent_AskAsync(lawyer, "q").Key(runtime));
        Assert.Equal(LlmCacheKeys.PersonaAgent_AskAsync(pirate, "q").Key(runtime),
            LlmCacheKeys.PersonaAgent_AskAsync(new PersonaAgent(runtime, "pirate"), "q").Key(runtime));
        KeyExplanation explanation = LlmCacheKeys.PersonaAgent_AskAsync(pirate, "q").Explain(runtime);
        Assert.Equal(["prompt", "this.persona"], explanation.Parts.Select(p => p.Name));
        Assert.All(explanation.Parts, p => Assert.True(p.EncodedBytes > 0));
    }
}
