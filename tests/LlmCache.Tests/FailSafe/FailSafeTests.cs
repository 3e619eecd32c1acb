using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using LlmCache.Tests.Correctness;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.FailSafe;

/// <summary>A model whose next answers can be made to fail.</summary>
public sealed class FlakyModel(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;

    public int Calls;

    /// <summary>What the next calls throw; null to answer. A fault of the provider, never part of a question.</summary>
    [NotKeyed]
    public Exception? Failure;

    public LlmCacheRuntime Runtime => _runtime;

    [LlmCached(Ttl = "1m", FailSafe = "1h")]
    public Task<string> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref Calls);
        cancellationToken.ThrowIfCancellationRequested();
        return Failure is { } failure ? Task.FromException<string>(failure) : Task.FromResult($"{question}#{call}");
    }

    /// <summary>Fails before its first item while <see cref="Failure"/> is set, or after it while <see cref="FailMidway"/> is.</summary>
    [LlmCached(Ttl = "1m", FailSafe = "1h")]
    public async IAsyncEnumerable<string> StreamAsync(string question)
    {
        int call = Interlocked.Increment(ref Calls);
        await Task.Yield();
        if (Failure is { } failure)
        {
            throw failure;
        }
        yield return $"{question}#{call}.a";
        if (FailMidway)
        {
            throw new HttpRequestException("connection reset");
        }
        yield return $"{question}#{call}.b";
    }

    [NotKeyed]
    public bool FailMidway;

    [LlmCached(Ttl = "1m")]
    public Task<string> NoFailSafeAsync(string question)
    {
        int call = Interlocked.Increment(ref Calls);
        return Failure is { } failure ? Task.FromException<string>(failure) : Task.FromResult($"{question}#{call}");
    }
}

public sealed class FailSafeTests
{
    private static readonly TimeSpan PastExpiry = TimeSpan.FromMinutes(2);

    private static (FlakyModel Model, FakeTimeProvider Clock) Model(LlmCacheOptions? options = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        return (new FlakyModel(new LlmCacheRuntime(options ?? new LlmCacheOptions(), clock)), clock);
    }

    private sealed class FakeResponse(int status) : PipelineResponse
    {
        public override int Status => status;

        public override string ReasonPhrase => "";

        public override Stream? ContentStream { get; set; }

        public override BinaryData Content => BinaryData.Empty;

        protected override PipelineResponseHeaders HeadersCore => throw new NotSupportedException();

        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => BinaryData.Empty;

        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => new(BinaryData.Empty);

        public override void Dispose()
        {
        }
    }

    /// <summary>An SDK's own exception type carrying the status, as the Anthropic SDK's do.</summary>
    private sealed class SdkApiException(int statusCode) : Exception("sdk")
    {
        public int StatusCode { get; } = statusCode;
    }

    public static TheoryData<string> TransientFailures => ["network", "503", "429", "timeout", "client-503", "client-no-response", "http-timeout", "sdk-529", "aggregate"];

    private static Exception Failure(string kind) => kind switch
    {
        "network" => new HttpRequestException("connection refused"),
        "503" => new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable),
        "429" => new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests),
        "400" => new HttpRequestException("bad request", null, HttpStatusCode.BadRequest),
        "timeout" => new TimeoutException(),
        "client-503" => new ClientResultException(new FakeResponse(503)),
        "client-400" => new ClientResultException(new FakeResponse(400)),
        "client-no-response" => new ClientResultException("no response"),
        "http-timeout" => new TaskCanceledException("HttpClient.Timeout elapsed"),
        "sdk-529" => new SdkApiException(529),
        "sdk-401" => new SdkApiException(401),
        "aggregate" => new AggregateException(new HttpRequestException("retry 1"), new HttpRequestException("retry 2", null, HttpStatusCode.BadGateway)),
        "argument" => new ArgumentException("a bug"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public async Task ATransientFailureAfterExpiry_IsAnsweredWithTheLastGoodAnswer_FlaggedStale(string kind)
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        Assert.Equal("q#1", await model.AskAsync("q"));
        clock.Advance(PastExpiry);
        model.Failure = Failure(kind);

        using CacheProbe probe = LlmCacheScope.Observe();
        string answer = await model.AskAsync("q");

        Assert.Equal("q#1", answer);
        Assert.Equal(2, model.Calls); // the method was tried
        CacheOutcome outcome = probe.Last!.Value;
        Assert.True(outcome.Hit);
        Assert.True(outcome.Stale);
        Assert.Equal(PastExpiry, outcome.Age);
        Assert.Equal(1, model.Runtime.Statistics.FailSafeServed);
    }

    [Theory]
    [InlineData("400")]
    [InlineData("client-400")]
    [InlineData("sdk-401")]
    [InlineData("argument")]
    public async Task AFailureOfTheRequestItself_ReachesTheCaller(string kind)
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(PastExpiry);
        Exception failure = model.Failure = Failure(kind);

        Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => model.AskAsync("q"));

        Assert.Same(failure, thrown);
        Assert.Equal(0, model.Runtime.Statistics.FailSafeServed);
    }

    [Fact]
    public async Task TheCallersOwnCancellation_IsNeverAnsweredFromTheCache()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(PastExpiry);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.AskAsync("q", cts.Token));
        Assert.Equal(0, model.Runtime.Statistics.FailSafeServed);
    }

    [Fact]
    public async Task PastTheWindow_TheFailureReachesTheCaller()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        model.Failure = new HttpRequestException("down");

        await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
    }

    [Fact]
    public async Task WithoutAWindow_TheFailureReachesTheCaller()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.NoFailSafeAsync("q");
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");

        await Assert.ThrowsAsync<HttpRequestException>(() => model.NoFailSafeAsync("q"));
    }

    [Fact]
    public async Task TheGlobalWindow_AppliesToMethodsWithoutOne()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model(new LlmCacheOptions { FailSafe = TimeSpan.FromHours(1) });
        await model.NoFailSafeAsync("q");
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");

        Assert.Equal("q#1", await model.NoFailSafeAsync("q"));
    }

    [Fact]
    public async Task AStaleAnswer_IsThrottled_SoTheFailingProviderIsNotCalledAgainAtOnce()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model(new LlmCacheOptions { FailSafeThrottle = TimeSpan.FromSeconds(30) });
        await model.AskAsync("q");
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");
        Assert.Equal("q#1", await model.AskAsync("q"));
        Assert.Equal(2, model.Calls);

        using (CacheProbe probe = LlmCacheScope.Observe())
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("q#1", await model.AskAsync("q"));
            Assert.Equal(2, model.Calls); // within the throttle: not called
            Assert.True(probe.Last!.Value.Stale);
        }

        // After the throttle the provider is tried again; it has recovered, and its answer is fresh.
        clock.Advance(TimeSpan.FromSeconds(30));
        model.Failure = null;
        Assert.Equal("q#3", await model.AskAsync("q"));
        Assert.Equal("q#3", await model.AskAsync("q"));
        Assert.Equal(3, model.Calls);
    }

    [Fact]
    public async Task TheThrottle_NeverExtendsTheWindow()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model(new LlmCacheOptions { FailSafeThrottle = TimeSpan.FromMinutes(10) });
        await model.AskAsync("q");
        model.Failure = new HttpRequestException("down");
        // Fail repeatedly, each time after the throttle, until past the original window.
        clock.Advance(TimeSpan.FromMinutes(55));
        Assert.Equal("q#1", await model.AskAsync("q"));
        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1)); // 1 h 05 min + 1 s after creation: past 1 min + 1 h
        await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
    }

    [Fact]
    public async Task AnEvictedEntry_IsNeverServedByTheFailSafe()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        string key = LlmCache.Generated.LlmCacheKeys.FlakyModel_AskAsync("q").Key(model.Runtime);
        Assert.True(await model.Runtime.RemoveAsync(key));
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");

        await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
    }

    [Fact]
    public async Task AFreshReadOrAMaximumAge_IsNotAnsweredWithAStaleEntry()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");

        using (LlmCacheScope.With(new CacheControl { NoCache = true }))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
        }
        using (LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromMinutes(1) }))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
        }
        Assert.Equal("q#1", await model.AskAsync("q"));
    }

    [Fact]
    public async Task AnExpiredEntryInATier_AnswersAFreshProcessWhoseMethodFails()
    {
        var tier = new DictionaryTier();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var first = new FlakyModel(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock));
        Assert.Equal("q#1", await first.AskAsync("q"));
        clock.Advance(PastExpiry);

        var second = new FlakyModel(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock)) { Failure = new HttpRequestException("down") };
        using CacheProbe probe = LlmCacheScope.Observe();
        Assert.Equal("q#1", await second.AskAsync("q"));
        Assert.Equal(1, second.Calls);
        Assert.Equal(CacheSource.Distributed, probe.Last!.Value.Source);
        Assert.True(probe.Last!.Value.Stale);

        // And while the provider answers, an expired entry is never served.
        second.Failure = null;
        clock.Advance(TimeSpan.FromMinutes(1));
        var third = new FlakyModel(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, clock));
        Assert.Equal("q#1", await third.AskAsync("q"));
    }

    private static async Task<List<string>> All(IAsyncEnumerable<string> stream)
    {
        var items = new List<string>();
        await foreach (string item in stream)
        {
            items.Add(item);
        }
        return items;
    }

    [Fact]
    public async Task AStreamFailingBeforeItsFirstItem_IsReplayedFromTheLastGoodOne()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        Assert.Equal(["q#1.a", "q#1.b"], await All(model.StreamAsync("q")));
        clock.Advance(PastExpiry);
        model.Failure = new HttpRequestException("down");

        using CacheProbe probe = LlmCacheScope.Observe();
        Assert.Equal(["q#1.a", "q#1.b"], await All(model.StreamAsync("q")));
        Assert.True(probe.Last!.Value.Stale);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task AStreamFailingAfterItsFirstItem_ReachesTheCaller_ForItCannotBeTakenBack()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model();
        await All(model.StreamAsync("q"));
        clock.Advance(PastExpiry);
        model.FailMidway = true;

        var seen = new List<string>();
        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (string item in model.StreamAsync("q"))
            {
                seen.Add(item);
            }
        });
        Assert.Equal(["q#2.a"], seen);
    }

    [Fact]
    public async Task APredicateInTheOptions_DecidesWhichFailuresAreAnswered()
    {
        (FlakyModel model, FakeTimeProvider clock) = Model(new LlmCacheOptions { FailSafeWhen = ex => ex is InvalidOperationException });
        await model.AskAsync("q");
        clock.Advance(PastExpiry);

        model.Failure = new InvalidOperationException("quota");
        Assert.Equal("q#1", await model.AskAsync("q"));
        clock.Advance(TimeSpan.FromMinutes(1)); // past the throttle
        model.Failure = new HttpRequestException("down");
        await Assert.ThrowsAsync<HttpRequestException>(() => model.AskAsync("q"));
    }
}

public sealed class ChatClientFailSafeTests
{
    private sealed class DownClient(Microsoft.Extensions.AI.IChatClient inner) : Microsoft.Extensions.AI.DelegatingChatClient(inner)
    {
        public bool Down;

        public override Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Down ? Task.FromException<Microsoft.Extensions.AI.ChatResponse>(new HttpRequestException("503", null, System.Net.HttpStatusCode.ServiceUnavailable))
                : base.GetResponseAsync(messages, options, cancellationToken);
    }

    [Fact]
    public async Task TheMiddleware_AnswersAFailingProviderWithTheLastGoodAnswer_MarkedAsAHit()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions(), clock);
        var counting = new Middleware.CountingChatClient();
        var provider = new DownClient(counting);
        Microsoft.Extensions.AI.IChatClient client = new Microsoft.Extensions.AI.ChatClientBuilder(provider)
            .UseLlmCache(runtime, o => { o.Ttl = TimeSpan.FromMinutes(1); o.FailSafe = TimeSpan.FromHours(1); })
            .Build();
        Microsoft.Extensions.AI.ChatMessage[] ask = [new(Microsoft.Extensions.AI.ChatRole.User, "q")];
        Assert.Equal("q#1", (await client.GetResponseAsync(ask)).Text);

        clock.Advance(TimeSpan.FromMinutes(2));
        provider.Down = true;
        Microsoft.Extensions.AI.ChatResponse stale = await client.GetResponseAsync(ask);

        Assert.Equal("q#1", stale.Text);
        Assert.Equal(true, stale.AdditionalProperties?[LlmCacheChatClient.HitProperty]);
        Assert.Equal(1, runtime.Statistics.FailSafeServed);
    }
}
