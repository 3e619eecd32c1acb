using CsCheck;
using LlmCache.Generated;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Correctness;

/// <summary>
/// Random sequences of calls, evictions, tag removals, restarts (a new process on the same tier),
/// clock steps and per-call controls, checked against a model of the promise: an answer is never one
/// computed before a removal that applies to it, never older than its TTL or the caller's MaxAge.
/// </summary>
public sealed class RemovalModelTests
{
    private enum Kind { Call, NoCache, MaxAge, Evict, RemoveTag, Restart, Advance }

    private sealed record Op(Kind Kind, int Key, int Seconds);

    private static readonly Gen<Op> s_op = Gen.Select(
        Gen.Frequency((6, Gen.Const(Kind.Call)), (1, Gen.Const(Kind.NoCache)), (1, Gen.Const(Kind.MaxAge)), (2, Gen.Const(Kind.Evict)),
            (1, Gen.Const(Kind.RemoveTag)), (1, Gen.Const(Kind.Restart)), (2, Gen.Const(Kind.Advance))),
        Gen.Int[0, 2], Gen.Int[1, 45], (kind, key, seconds) => new Op(kind, key, seconds));

    [Fact]
    public void NoAnswerPredatesARemoval_OrOutlivesItsTtlOrTheCallersMaxAge() =>
        s_op.Array[1, 40].Sample(ops => Run(ops).GetAwaiter().GetResult(), iter: 150);

    private static async Task Run(Op[] ops)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var tier = new DictionaryTier();
        int runs = 0;
        var computedAt = new Dictionary<int, DateTimeOffset>();   // run number -> when it ran
        var removedAfterRun = new int[3];                          // per key: the last run made before its last removal
        LlmCacheRuntime runtime = Start();
        var service = new CorrectnessService(runtime) { Runs = () => { computedAt[++runs] = clock.GetUtcNow(); return runs; } };
        try
        {
            foreach (Op op in ops)
            {
                string key = "k" + op.Key;
                switch (op.Kind)
                {
                    case Kind.Call:
                    case Kind.NoCache:
                    case Kind.MaxAge:
                        CacheControl? control = op.Kind switch
                        {
                            Kind.NoCache => new CacheControl { NoCache = true },
                            Kind.MaxAge => new CacheControl { MaxAge = TimeSpan.FromSeconds(op.Seconds) },
                            _ => null,
                        };
                        string answer = await service.NumberedAsync(key, control);
                        int run = int.Parse(answer[(answer.IndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                        Assert.True(run > removedAfterRun[op.Key], $"{key}: run {run} was computed before the removal after run {removedAfterRun[op.Key]}");
                        TimeSpan age = clock.GetUtcNow() - computedAt[run];
                        Assert.True(age < TimeSpan.FromMinutes(1), $"{key}: run {run} is {age} old, past its TTL");
                        if (op.Kind == Kind.MaxAge)
                        {
                            Assert.True(age <= TimeSpan.FromSeconds(op.Seconds), $"{key}: run {run} is {age} old, past MaxAge {op.Seconds}s");
                        }
                        if (op.Kind == Kind.NoCache)
                        {
                            Assert.Equal(runs, run);
                        }
                        break;
                    case Kind.Evict:
                        await LlmCacheKeys.CorrectnessService_NumberedAsync(key).EvictAsync(runtime);
                        removedAfterRun[op.Key] = runs;
                        break;
                    case Kind.RemoveTag:
                        await runtime.RemoveByTagAsync("model");
                        Array.Fill(removedAfterRun, runs);
                        break;
                    case Kind.Restart:
                        await runtime.DisposeAsync();
                        runtime = Start();
                        service = new CorrectnessService(runtime) { Runs = service.Runs };
                        break;
                    case Kind.Advance:
                        clock.Advance(TimeSpan.FromSeconds(op.Seconds));
                        break;
                }
                await runtime.FlushAsync(); // tier writes land before the next step, as they would given a moment
            }
        }
        finally
        {
            await runtime.DisposeAsync();
        }

        LlmCacheRuntime Start() => new(new LlmCacheOptions { Tiers = { tier } }, clock);
    }
}
