using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmCache.Tests.Costs;

/// <summary>An SDK-style answer: a <c>Usage</c> as Anthropic's SDK names its counts, and a <c>Model</c>.</summary>
public sealed class SdkAnswer
{
    public string Text { get; set; } = "";

    public string Model { get; set; } = "";

    public SdkUsage Usage { get; set; } = new();
}

public sealed class SdkUsage
{
    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public long? CacheReadInputTokens { get; set; }
}

public sealed class PricedModel(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;

    public LlmCacheRuntime Runtime => _runtime;

    [LlmCached]
    public Task<ChatResponse> AskAsync(string model, string question) => Task.FromResult(
        new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer to " + question))
        {
            ModelId = model,
            Usage = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 200, OutputTokenCount = 500 },
        });

    [LlmCached]
    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(string question)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "part") { ModelId = "gpt-4o" };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 2000, OutputTokenCount = 100 })]);
    }

    [LlmCached]
    public Task<SdkAnswer> SdkAsync(string question) => Task.FromResult(new SdkAnswer
    {
        Text = "answer",
        Model = "claude-sonnet-4-5-20250929",
        Usage = new SdkUsage { InputTokens = 300, OutputTokens = 100, CacheReadInputTokens = 700 },
    });
}

public sealed class CostAccountingTests
{
    [Fact]
    public async Task AHit_SavesItsTokens_AtTheModelsPrice_MatchedByPrefix()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        using var tokens = new MetricCollector<long>(runtime.Meter, "llmcache.tokens.saved");
        using var cost = new MetricCollector<double>(runtime.Meter, "llmcache.cost.saved");
        await model.AskAsync("gpt-4o-mini-2024-07-18", "q");
        Assert.Empty(tokens.GetMeasurementSnapshot()); // a miss saves nothing

        using CacheProbe probe = LlmCacheScope.Observe();
        await model.AskAsync("gpt-4o-mini-2024-07-18", "q");

        // gpt-4o-mini: 0.15 input, 0.075 cached input, 0.60 output per million tokens.
        decimal expected = (800 * 0.15m + 200 * 0.075m + 500 * 0.60m) / 1_000_000m;
        CacheOutcome outcome = probe.Last!.Value;
        Assert.Equal(1000, outcome.InputTokensSaved);
        Assert.Equal(500, outcome.OutputTokensSaved);
        Assert.Equal(expected, outcome.CostSaved);
        Assert.Equal(expected, runtime.Statistics.CostSaved);
        Assert.Equal((1000, 500), (runtime.Statistics.InputTokensSaved, runtime.Statistics.OutputTokensSaved));
        Assert.Equal(1000, tokens.GetMeasurementSnapshot().Single(m => (string?)m.Tags["llmcache.direction"] == "input").Value);
        Assert.Equal(500, tokens.GetMeasurementSnapshot().Single(m => (string?)m.Tags["llmcache.direction"] == "output").Value);
        CollectedMeasurement<double> saved = Assert.Single(cost.GetMeasurementSnapshot());
        Assert.Equal((double)expected, saved.Value, 12);
        Assert.Equal("USD", saved.Tags["llmcache.currency"]);
        Assert.Equal("gpt-4o-mini-2024-07-18", saved.Tags["llmcache.model"]);
    }

    /// <summary>
    /// Hits of one entry reuse what its first hit computed; a price edited in place, or replaced in the
    /// table, between two hits of the same entry is what the next hit is counted at.
    /// </summary>
    [Fact]
    public async Task HitsOfOneEntry_FollowAPriceEditedOrReplaced_BetweenThem()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        await model.AskAsync("gpt-4o", "q");
        using CacheProbe probe = LlmCacheScope.Observe();
        decimal Saved(decimal input, decimal cached, decimal output) => (800 * input + 200 * cached + 500 * output) / 1_000_000m;

        await model.AskAsync("gpt-4o", "q");
        await model.AskAsync("gpt-4o", "q");
        Assert.Equal(Saved(2.50m, 1.25m, 10.00m), probe.Last!.Value.CostSaved);

        ModelPrice price = runtime.Options.Prices["gpt-4o"];
        price.OutputPerMillion = 20.00m;
        await model.AskAsync("gpt-4o", "q");
        Assert.Equal(Saved(2.50m, 1.25m, 20.00m), probe.Last!.Value.CostSaved);
        price.CachedInputPerMillion = null; // cached input at the input price
        await model.AskAsync("gpt-4o", "q");
        Assert.Equal(Saved(2.50m, 2.50m, 20.00m), probe.Last!.Value.CostSaved);

        runtime.Options.Prices["gpt-4o"] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 1m };
        await model.AskAsync("gpt-4o", "q");
        Assert.Equal(Saved(1m, 1m, 1m), probe.Last!.Value.CostSaved);

        Assert.Equal(5, runtime.Statistics.Hits);
        Assert.Equal(2 * Saved(2.50m, 1.25m, 10.00m) + Saved(2.50m, 1.25m, 20.00m) + Saved(2.50m, 2.50m, 20.00m) + Saved(1m, 1m, 1m),
            runtime.Statistics.CostSaved);
    }

    [Fact]
    public async Task AModelWithoutAPrice_CountsItsTokens_AndNoCost()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        await model.AskAsync("in-house-7b", "q");
        using CacheProbe probe = LlmCacheScope.Observe();
        await model.AskAsync("in-house-7b", "q");

        Assert.Equal(1000, probe.Last!.Value.InputTokensSaved);
        Assert.Null(probe.Last!.Value.CostSaved);
        Assert.Equal(0m, runtime.Statistics.CostSaved);
    }

    [Fact]
    public async Task PricesFromConfiguration_OverrideAndExtendTheTable()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:PriceCurrency"] = "EUR",
            ["LlmCache:Prices:in-house-7b:InputPerMillion"] = "1",
            ["LlmCache:Prices:in-house-7b:OutputPerMillion"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCache(configuration.GetSection("LlmCache"), o => o.UseAsDefault = false);
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        var model = new PricedModel(runtime);

        await model.AskAsync("in-house-7b", "q");
        using CacheProbe probe = LlmCacheScope.Observe();
        await model.AskAsync("in-house-7b", "q");

        Assert.Equal((1000 * 1m + 500 * 2m) / 1_000_000m, probe.Last!.Value.CostSaved); // no cached-input price: the input price
        Assert.Equal("EUR", runtime.Options.PriceCurrency);
        Assert.True(runtime.Options.Prices.ContainsKey("gpt-4o")); // the defaults stay
    }

    [Fact]
    public async Task AStreamHit_SavesTheUsageItsUpdatesReport()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        await foreach (ChatResponseUpdate _ in model.StreamAsync("q"))
        {
        }
        using CacheProbe probe = LlmCacheScope.Observe();
        await foreach (ChatResponseUpdate _ in model.StreamAsync("q"))
        {
        }

        Assert.Equal(2000, probe.Last!.Value.InputTokensSaved);
        Assert.Equal((2000 * 2.50m + 100 * 10.00m) / 1_000_000m, probe.Last!.Value.CostSaved);
    }

    [Fact]
    public async Task AnSdkAnswer_IsReadByItsUsageAndModel_CacheReadsPricedAsCachedInput()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        await model.SdkAsync("q");
        using CacheProbe probe = LlmCacheScope.Observe();
        await model.SdkAsync("q");

        // claude-sonnet-4: 3.00 input, 0.30 cache reads, 15.00 output; Anthropic counts cache reads apart from input.
        Assert.Equal(1000, probe.Last!.Value.InputTokensSaved);
        Assert.Equal((300 * 3.00m + 700 * 0.30m + 100 * 15.00m) / 1_000_000m, probe.Last!.Value.CostSaved);
    }

    [Fact]
    public async Task MethodStatistics_CountEachMethodApart_WithWhatItSaved_AndItsSkippedStores()
    {
        using var runtime = new LlmCacheRuntime();
        var model = new PricedModel(runtime);
        await model.AskAsync("gpt-4o", "q");
        await model.AskAsync("gpt-4o", "q");
        await model.SdkAsync("q");
        using (LlmCacheScope.With(new CacheControl { NoStore = true }))
        {
            await model.SdkAsync("other");
        }

        MethodStatistics ask = Assert.Single(runtime.MethodStatistics, m => m.MethodId.Contains(".AskAsync.", StringComparison.Ordinal));
        MethodStatistics sdk = Assert.Single(runtime.MethodStatistics, m => m.MethodId.Contains(".SdkAsync.", StringComparison.Ordinal));
        Assert.Equal((1, 0, 1), (ask.MemoryHits, ask.DistributedHits, ask.Misses));
        Assert.Equal(0.5, ask.HitRate);
        Assert.Equal((1000, 500), (ask.InputTokensSaved, ask.OutputTokensSaved));
        Assert.Equal((800 * 2.50m + 200 * 1.25m + 500 * 10.00m) / 1_000_000m, ask.CostSaved);
        Assert.Equal((0, 2), (sdk.Hits, sdk.Misses));
        Assert.Equal(1, sdk.SkippedStores["no-store"]);
        Assert.Equal(ask.CostSaved, runtime.Statistics.CostSaved);
    }
}
