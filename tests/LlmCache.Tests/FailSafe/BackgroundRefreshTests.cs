using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.FailSafe;

/// <summary>A model whose answers can be held back, to show soft timeouts and eager refreshes.</summary>
public sealed class SlowModel(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;

    public int Calls;

    /// <summary>While set, calls wait for it (or for their token).</summary>
    [NotKeyed]
    public TaskCompletionSource? Gate;

    public LlmCacheRuntime Runtime => _runtime;

    [LlmCached(Ttl = "1m", FailSafe = "1h", SoftTimeout = "2s", HardTimeout = "1m")]
    public async Task<string> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref Calls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return $"{question}#{call}";
    }

    [LlmCached(Ttl = "10m", EagerRefresh = 0.5)]
    public async Task<string> EagerAsync(List<string> messages, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref Calls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return string.Join(",", messages) + "#" + call;
    }
}

public sealed class BackgroundRefreshTests
{
    private static (SlowModel Model, FakeTimeProvider Clock) Model()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        return (new SlowModel(new LlmCacheRuntime(new LlmCacheOptions(), clock)), clock);
    }

    private static async Task Until(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }

    [Fact]
    public async Task ASlowCall_IsAnsweredStaleAtTheSoftTimeout_AndItsAnswerLandsInTheBackground()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        Assert.Equal("q#1", await model.AskAsync("q"));
        clock.Advance(TimeSpan.FromMinutes(2));
        model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using CacheProbe probe = LlmCacheScope.Observe();
        Task<string> slow = model.AskAsync("q");
        await Until(() => model.Calls == 2);
        Assert.False(slow.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(3)); // past the soft timeout
        Assert.Equal("q#1", await slow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(probe.Last!.Value.Stale);
        Assert.Equal(1, model.Runtime.PendingRefreshes);

        // Meanwhile another caller is answered at once, without a second call of the method.
        Assert.Equal("q#1", await model.AskAsync("q").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, model.Calls);

        model.Gate.SetResult();
        await model.Runtime.FlushAsync();
        Assert.Equal(0, model.Runtime.PendingRefreshes);
        Assert.Equal("q#2", await model.AskAsync("q"));
        Assert.False(probe.Last!.Value.Stale);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task ACallFasterThanTheSoftTimeout_IsAnsweredByTheMethod()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(TimeSpan.FromMinutes(2));

        using CacheProbe probe = LlmCacheScope.Observe();
        Assert.Equal("q#2", await model.AskAsync("q"));
        Assert.False(probe.Last!.Value.Hit);
        Assert.Equal("q#2", await model.AskAsync("q"));
    }

    [Fact]
    public async Task TheHardTimeout_CancelsABackgroundCall_AndTheEntryStaysAsItWas()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(TimeSpan.FromMinutes(2));
        model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // never released

        Task<string> slow = model.AskAsync("q");
        await Until(() => model.Calls == 2);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("q#1", await slow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, model.Runtime.PendingRefreshes);

        clock.Advance(TimeSpan.FromMinutes(1)); // the hard timeout
        await Until(() => model.Runtime.PendingRefreshes == 0);
        model.Gate = null;
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("q#3", await model.AskAsync("q")); // nothing was stored by the cancelled call
    }

    [Fact]
    public async Task TheCallersCancellationBeforeTheSoftTimeout_StopsTheMethod_AndNothingIsServed()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        await model.AskAsync("q");
        clock.Advance(TimeSpan.FromMinutes(2));
        model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        Task<string> slow = model.AskAsync("q", cts.Token);
        await Until(() => model.Calls == 2);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, model.Runtime.PendingRefreshes);
    }

    [Fact]
    public async Task AHitLateInItsLife_RefreshesTheEntryOnce_InTheBackground()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        List<string> Ask() => ["a", "b"];
        Assert.Equal("a,b#1", await model.EagerAsync(Ask()));
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("a,b#1", await model.EagerAsync(Ask()));
        Assert.Equal(1, model.Calls); // before the refresh point: nothing started

        clock.Advance(TimeSpan.FromMinutes(2)); // 6 of 10 minutes: past 0.5
        model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string[] answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => model.EagerAsync(Ask())));
        Assert.All(answers, a => Assert.Equal("a,b#1", a));
        await Until(() => model.Calls == 2);
        Assert.Equal(1, model.Runtime.PendingRefreshes);

        model.Gate.SetResult();
        await model.Runtime.FlushAsync();
        Assert.Equal("a,b#2", await model.EagerAsync(Ask()));
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task ArgumentsChangedByTheCallerAfterItsHit_NeverStoreAnotherQuestionsAnswer()
    {
        (SlowModel model, FakeTimeProvider clock) = Model();
        Assert.Equal("a,b#1", await model.EagerAsync(["a", "b"]));
        clock.Advance(TimeSpan.FromMinutes(6));
        model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The caller gets its hit, and appends the answer to its conversation while the refresh runs.
        List<string> conversation = ["a", "b"];
        Assert.Equal("a,b#1", await model.EagerAsync(conversation));
        await Until(() => model.Calls == 2);
        conversation.Add("answer");
        model.Gate.SetResult();
        await model.Runtime.FlushAsync();

        string again = await model.EagerAsync(["a", "b"]);
        Assert.StartsWith("a,b#", again, StringComparison.Ordinal); // never "a,b,answer#2"
    }

    [Fact]
    public async Task InReplay_AHitLateInItsLife_StartsNoRefresh()
    {
        var tier = new Correctness.DictionaryTier();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recording = new SlowModel(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, Mode = LlmCacheMode.ReadWrite }, clock));
        Assert.Equal("a,b#1", await recording.EagerAsync(["a", "b"]));
        await recording.Runtime.FlushAsync();

        var replaying = new SlowModel(new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier }, Mode = LlmCacheMode.Replay }, clock));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("a,b#1", await replaying.EagerAsync(["a", "b"]));
        Assert.Equal("a,b#1", await replaying.EagerAsync(["a", "b"])); // from memory now, still late in its life
        await replaying.Runtime.FlushAsync();
        Assert.Equal(0, replaying.Calls);
        Assert.Equal(0, replaying.Runtime.PendingRefreshes);
    }
}
