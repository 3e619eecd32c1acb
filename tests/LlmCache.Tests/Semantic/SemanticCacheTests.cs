using System.Diagnostics.Metrics;
using LlmCache.Generated;
using LlmCache.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Semantic;

public sealed class SemanticCacheTests
{
    private const string Reset = "How do I reset my password";
    private const string ResetParaphrase = "How can I reset my password";

    private static (SupportBot Bot, WordsEmbeddingGenerator Embeddings) Create(Action<LlmCacheOptions>? configure = null, TimeProvider? time = null)
    {
        var embeddings = new WordsEmbeddingGenerator();
        var options = new LlmCacheOptions { Semantic = { EmbeddingGenerator = embeddings } };
        configure?.Invoke(options);
        return (new SupportBot(new LlmCacheRuntime(options, time)), embeddings);
    }

    [Fact]
    public async Task AParaphrase_IsAnsweredByTheStoredCall_AndReportedAsSemantic()
    {
        (SupportBot bot, WordsEmbeddingGenerator embeddings) = Create();
        string first = await bot.AskAsync("gpt-4o", Reset);
        using CacheProbe probe = LlmCacheScope.Observe();
        string second = await bot.AskAsync("gpt-4o", ResetParaphrase);

        Assert.Equal(1, bot.Calls);
        Assert.Equal(first, second);
        CacheOutcome outcome = Assert.IsType<CacheOutcome>(probe.Last);
        Assert.True(outcome.Hit);
        Assert.Equal(CacheSource.Semantic, outcome.Source);
        Assert.InRange(outcome.Similarity!.Value, 0.8, 0.99);
        Assert.Equal(LlmCacheKeys.SupportBot_AskAsync("gpt-4o", Reset).Key(bot.Runtime)[^16..], outcome.MatchedKeyHash);
        MethodStatistics stats = Assert.Single(bot.Runtime.MethodStatistics, m => m.MethodId.Contains(".AskAsync.", StringComparison.Ordinal));
        Assert.Equal(1, stats.SemanticHits);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(2, embeddings.Inputs);
    }

    [Fact]
    public async Task ARepeatedQuestion_CostsNoEmbeddingCall()
    {
        (SupportBot bot, WordsEmbeddingGenerator embeddings) = Create();
        await bot.AskAsync("gpt-4o", Reset);
        await bot.AskAsync("gpt-4o", Reset); // exact hit in memory: nothing embedded
        Assert.Equal(1, embeddings.Inputs);
        await bot.AskAsync("gpt-4o", ResetParaphrase);
        await bot.AskAsync("gpt-4o", ResetParaphrase); // a semantic hit again; its embedding is cached
        Assert.Equal(2, embeddings.Inputs);
        Assert.Equal(1, bot.Calls);
    }

    [Fact]
    public async Task AnUnrelatedQuestion_IsAMiss()
    {
        (SupportBot bot, _) = Create();
        await bot.AskAsync("gpt-4o", Reset);
        await bot.AskAsync("gpt-4o", "Where is my parcel from last week");
        Assert.Equal(2, bot.Calls);
    }

    [Fact]
    public async Task EveryOtherInput_IsAnExactPartition()
    {
        (SupportBot bot, _) = Create();
        await bot.AskAsync("gpt-4o", Reset);
        await bot.AskAsync("gpt-4o-mini", ResetParaphrase); // another model
        Assert.Equal(2, bot.Calls);

        await bot.AskForAsync("acme", Reset);
        await bot.AskForAsync("globex", ResetParaphrase); // another tenant
        Assert.Equal(4, bot.Calls);
        await bot.AskForAsync("acme", ResetParaphrase);
        Assert.Equal(4, bot.Calls);

        using (LlmCacheScope.ForTenant("initech"))
        {
            await bot.AskAsync("gpt-4o", ResetParaphrase); // the flow's tenant partitions too
        }
        Assert.Equal(5, bot.Calls);
    }

    [Fact]
    public async Task Messages_CompareTheLastUserMessage_AndKeepEarlierTurnsAndOptionsExact()
    {
        (SupportBot bot, _) = Create();
        List<ChatMessage> Conversation(string system, string question) =>
            [new(ChatRole.System, system), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello! How can I help?"), new(ChatRole.User, question)];

        await bot.ChatAsync(Conversation("You are a support bot.", Reset));
        ChatResponse paraphrased = await bot.ChatAsync(Conversation("You are a support bot.", ResetParaphrase));
        Assert.Equal(1, bot.Calls);
        Assert.Equal("reply to: " + Reset, paraphrased.Text);

        await bot.ChatAsync(Conversation("You are a pirate.", ResetParaphrase)); // another system prompt
        Assert.Equal(2, bot.Calls);
        await bot.ChatAsync(Conversation("You are a support bot.", ResetParaphrase), new ChatOptions { Temperature = 0.9f }); // other options
        Assert.Equal(3, bot.Calls);
        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => city, "weather")] };
        await bot.ChatAsync(Conversation("You are a support bot.", ResetParaphrase), tools); // tools
        Assert.Equal(4, bot.Calls);
        List<ChatMessage> otherTurns = Conversation("You are a support bot.", ResetParaphrase);
        otherTurns[1] = new ChatMessage(ChatRole.User, "Good morning");
        await bot.ChatAsync(otherTurns); // an earlier turn differs
        Assert.Equal(5, bot.Calls);
    }

    [Theory]
    [InlineData("Can I get a refund within 30 days of purchase", "Can I get a refund within 60 days of purchase", SemanticGuards.Numbers)]
    [InlineData("How do I reset my account password today", "How do I not reset my account password today", SemanticGuards.Negations)]
    [InlineData("Why do I see the error \"disk full\" when I save a file in the desktop app",
        "Why do I see the error \"access denied\" when I save a file in the desktop app", SemanticGuards.Quotes)]
    [InlineData("What is the weather like in Paris this weekend for hiking and cycling",
        "What is the weather like in Lyon this weekend for hiking and cycling", SemanticGuards.Entities)]
    [InlineData("How do I upgrade my subscription plan from the billing page", "How do I downgrade my subscription plan from the billing page",
        SemanticGuards.Contrasts)]
    [InlineData("How do I connect the smart plug to my home hub", "How do I connect the smart bulb to my home hub", SemanticGuards.Substitutions)]
    public async Task EachGuard_RefusesItsNearMiss_AndNothingElseWould(string stored, string query, SemanticGuards guard)
    {
        (SupportBot guarded, _) = Create();
        await guarded.AskAsync("m", stored);
        await guarded.AskAsync("m", query);
        Assert.Equal(2, guarded.Calls);

        // The same pair with that one guard off is a hit: the guard, not the threshold, refused it. (Each
        // pair swaps one word, which the substitution guard refuses too: it is off as well.)
        (SupportBot unguarded, _) = Create(o => o.Semantic.Guards = SemanticGuards.All & ~guard & ~SemanticGuards.Substitutions);
        await unguarded.AskAsync("m", stored);
        Assert.Equal($"m: answer to '{stored}'", await unguarded.AskAsync("m", query));
        Assert.Equal(1, unguarded.Calls);
    }

    [Fact]
    public async Task TwoCandidatesWithDifferentAnswers_TooCloseToCall_AreAMiss_UnlessTheMarginIsOff()
    {
        foreach (bool margin in new[] { true, false })
        {
            (SupportBot bot, _) = Create(o => o.Semantic.Guards = margin ? SemanticGuards.All : SemanticGuards.All & ~SemanticGuards.Margin);
            using (LlmCacheScope.With(CacheControl.FreshRead)) // both stored: the second is not answered by the first
            {
                await bot.AskAsync("m", "How do I reset my password quickly");
                await bot.AskAsync("m", "How do I reset my password safely");
            }
            await bot.AskAsync("m", Reset);
            Assert.Equal(margin ? 3 : 2, bot.Calls);
        }
    }

    [Fact]
    public async Task ThePerMethodSimilarity_Applies()
    {
        (SupportBot strict, _) = Create(o => o.Semantic.Similarity = 0.99);
        await strict.AskAsync("m", Reset);
        await strict.AskAsync("m", ResetParaphrase); // 0.83: above the attribute's 0.8, which wins over the option
        Assert.Equal(1, strict.Calls);
    }

    [Fact]
    public async Task ShadowMode_CallsTheMethod_AndRecordsTheWouldBeHit()
    {
        var measurements = new List<(long Value, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "llmcache.semantic.shadow")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "llmcache.outcome").Value as string));
            }
        });
        listener.Start();

        // The substitution guard off: the last question swaps one word of the first.
        (SupportBot bot, _) = Create(o => (o.Semantic.Mode, o.Semantic.Guards) = (SemanticMode.Shadow, SemanticGuards.All & ~SemanticGuards.Substitutions));
        await bot.PolicyAsync("Can I get a refund for my order");
        using CacheProbe probe = LlmCacheScope.Observe();
        Assert.Equal("Refunds take 5 days.", await bot.PolicyAsync("Could I get a refund for my order"));
        Assert.Equal(2, bot.Calls);
        Assert.False(probe.Last!.Value.Hit);
        Assert.NotNull(probe.Last!.Value.Similarity);
        Assert.NotNull(probe.Last!.Value.MatchedKeyHash);

        await bot.PolicyAsync("Can I get a help for my order"); // the same words, another answer
        Assert.Equal(3, bot.Calls);
        lock (measurements)
        {
            Assert.Contains((1L, "agreed"), measurements);
            Assert.Contains((1L, "differed"), measurements);
        }
    }

    [Fact]
    public async Task WithoutAnEmbeddingGenerator_TheMethodIsCachedExactly_AndOneWarningIsLogged()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(logs)));
        var bot = new SupportBot(new LlmCacheRuntime(new LlmCacheOptions(), loggerFactory: loggers));
        await bot.AskAsync("m", Reset);
        await bot.AskAsync("m", Reset);
        await bot.AskAsync("m", ResetParaphrase);
        await bot.AskAsync("m", "Something else entirely");
        Assert.Equal(3, bot.Calls);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 32);
    }

    [Fact]
    public async Task TheGeneratorRegisteredInServices_IsUsed()
    {
        var embeddings = new WordsEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embeddings);
        services.AddLlmCache(o => o.UseAsDefault = false);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var bot = new SupportBot(provider.GetRequiredService<LlmCacheRuntime>());
        await bot.AskAsync("m", Reset);
        await bot.AskAsync("m", ResetParaphrase);
        Assert.Equal(1, bot.Calls);
        Assert.Equal(2, embeddings.Inputs);
    }

    [Fact]
    public async Task SemanticOptions_BindFromConfiguration_AndTheJudgeSetInCodeIsKept()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCache:UseAsDefault"] = "false",
            ["LlmCache:Semantic:Mode"] = "Shadow",
            ["LlmCache:Semantic:Similarity"] = "0.8",
            ["LlmCache:Semantic:Guards"] = "Numbers, Negations",
        }).Build();
        int judged = 0;
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new WordsEmbeddingGenerator());
        services.AddLlmCache(configuration.GetSection("LlmCache"), o => o.Semantic.AnswersAgree = (_, _) => ++judged > 0);
        await using ServiceProvider provider = services.BuildServiceProvider();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
        Assert.Equal(SemanticMode.Shadow, runtime.Options.Semantic.Mode);
        Assert.Equal(0.8, runtime.Options.Semantic.Similarity);
        Assert.Equal(SemanticGuards.Numbers | SemanticGuards.Negations, runtime.Options.Semantic.Guards);
        var bot = new SupportBot(runtime);
        await bot.PolicyAsync("Can I get a refund for my order");
        await bot.PolicyAsync("Could I get a refund for my order");
        Assert.Equal(2, bot.Calls); // shadow: the method answered
        Assert.Equal(1, judged);
    }

    [Fact]
    public async Task AFailingEmbeddingGenerator_LeavesTheCallToTheExactPath()
    {
        (SupportBot bot, WordsEmbeddingGenerator embeddings) = Create();
        embeddings.Fail = true;
        Assert.Equal("m: answer to 'How do I reset my password'", await bot.AskAsync("m", Reset));
        await bot.AskAsync("m", Reset);
        Assert.Equal(1, bot.Calls);
        Assert.True(bot.Runtime.Statistics.Errors >= 1);
    }

    [Fact]
    public async Task Removals_RemoveSemanticHitsToo()
    {
        (SupportBot byTag, _) = Create();
        await byTag.AskAsync("m", Reset);
        await byTag.Runtime.RemoveByTagAsync("support");
        await byTag.AskAsync("m", ResetParaphrase);
        Assert.Equal(2, byTag.Calls);

        (SupportBot byKey, _) = Create();
        await byKey.AskAsync("m", Reset);
        await byKey.Runtime.RemoveAsync(LlmCacheKeys.SupportBot_AskAsync("m", Reset).Key(byKey.Runtime));
        await byKey.AskAsync("m", ResetParaphrase);
        Assert.Equal(2, byKey.Calls);

        (SupportBot byNamespace, _) = Create();
        await byNamespace.AskAsync("m", Reset);
        byNamespace.Runtime.Reconfigure(o => o.Namespace = "v2");
        await byNamespace.AskAsync("m", ResetParaphrase);
        Assert.Equal(2, byNamespace.Calls);

        (SupportBot byMethod, _) = Create();
        await byMethod.AskAsync("m", Reset);
        string methodId = Assert.Single(byMethod.Runtime.MethodStatistics, m => m.MethodId.Contains(".AskAsync.", StringComparison.Ordinal)).MethodId;
        await byMethod.Runtime.RemoveMethodAsync(methodId);
        await byMethod.AskAsync("m", ResetParaphrase);
        Assert.Equal(2, byMethod.Calls);

        (SupportBot byTenant, _) = Create();
        await byTenant.AskForAsync("acme", Reset);
        await byTenant.Runtime.ForgetTenantAsync("acme");
        await byTenant.AskForAsync("acme", ResetParaphrase);
        Assert.Equal(2, byTenant.Calls);
    }

    [Fact]
    public async Task NoCacheAndMaxAge_Apply()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        (SupportBot bot, _) = Create(time: clock);
        await bot.AskAsync("m", Reset);
        using (LlmCacheScope.With(CacheControl.FreshRead))
        {
            await bot.AskAsync("m", ResetParaphrase);
        }
        Assert.Equal(2, bot.Calls);

        (SupportBot aged, _) = Create(time: clock);
        await aged.AskAsync("m", Reset);
        clock.Advance(TimeSpan.FromMinutes(10));
        using (LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromMinutes(5) }))
        {
            await aged.AskAsync("m", ResetParaphrase);
        }
        Assert.Equal(2, aged.Calls);
        await aged.AskAsync("m", ResetParaphrase); // no limit: the first answer (10 minutes old) serves
        Assert.Equal(2, aged.Calls);
    }

    [Fact]
    public async Task AnExpiredEntry_NeverAnswers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        (SupportBot bot, _) = Create(time: clock);
        await bot.AskAsync("m", Reset);
        clock.Advance(TimeSpan.FromHours(2));
        await bot.AskAsync("m", ResetParaphrase);
        Assert.Equal(2, bot.Calls);
    }

    [Fact]
    public async Task ASemanticHit_IsACopy()
    {
        (SupportBot bot, _) = Create();
        ChatResponse first = await bot.ChatAsync([new(ChatRole.User, Reset)]);
        first.Messages[0].Contents.Clear();
        ChatResponse second = await bot.ChatAsync([new(ChatRole.User, ResetParaphrase)]);
        Assert.Equal("reply to: " + Reset, second.Text);
        second.Messages.Clear();
        ChatResponse third = await bot.ChatAsync([new(ChatRole.User, ResetParaphrase)]);
        Assert.Equal("reply to: " + Reset, third.Text);
        Assert.Equal(1, bot.Calls);
    }

    /// <summary>An index that fails every way it can: the caller's call is answered, and counted as the cache's error.</summary>
    private sealed class BrokenIndex(bool synchronously) : ISemanticIndex
    {
        public ValueTask<IReadOnlyList<SemanticCandidate>> SearchAsync(string partition, ReadOnlyMemory<float> vector, int count, CancellationToken cancellationToken) =>
            synchronously ? throw new InvalidOperationException("search") : ValueTask.FromException<IReadOnlyList<SemanticCandidate>>(new IOException("search"));

        public ValueTask AddAsync(string partition, SemanticIndexEntry entry, CancellationToken cancellationToken) =>
            synchronously ? throw new InvalidOperationException("add") : ValueTask.FromException(new IOException("add"));

        public ValueTask RemoveAsync(string partition, string entryKey, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AFailingIndex_NeverFailsTheCall(bool synchronously)
    {
        (SupportBot bot, _) = Create(o => o.Semantic.Index = new BrokenIndex(synchronously));
        Assert.Equal("m: answer to 'How do I reset my password'", await bot.AskAsync("m", Reset));
        await bot.AskAsync("m", Reset); // the exact path still caches
        await bot.AskAsync("m", ResetParaphrase);
        await bot.Runtime.FlushAsync();
        Assert.Equal(2, bot.Calls);
        Assert.True(bot.Runtime.Statistics.Errors >= 2);
    }

    [Fact]
    public async Task AThrowingAgreementJudge_LeavesShadowModeAnswering()
    {
        (SupportBot bot, _) = Create(o =>
        {
            o.Semantic.Mode = SemanticMode.Shadow;
            o.Semantic.AnswersAgree = (_, _) => throw new InvalidOperationException("judge down");
        });
        await bot.AskAsync("m", Reset);
        Assert.Equal($"m: answer to '{ResetParaphrase}'", await bot.AskAsync("m", ResetParaphrase));
        Assert.Equal(2, bot.Calls);
    }
}
