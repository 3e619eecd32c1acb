using System.Diagnostics;
using LlmCache.Generated;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Correctness;

/// <summary>Each test reproduces a way the cache could serve a wrong answer or leak its own failure.</summary>
public sealed class CorrectnessTests
{
    private static (CorrectnessService Service, LlmCacheRuntime Runtime) Create(Action<LlmCacheOptions>? configure = null, TimeProvider? clock = null)
    {
        var options = new LlmCacheOptions();
        configure?.Invoke(options);
        var runtime = new LlmCacheRuntime(options, clock);
        return (new CorrectnessService(runtime), runtime);
    }

    [Fact]
    public async Task DerivedRecordArguments_AreKeyedByTheirRuntimeType()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            await service.StyleAsync(new StyledPrompt("x", "formal"));
            await service.StyleAsync(new StyledPrompt("x", "casual"));
            await service.StyleAsync(new Prompt("x"));
            Assert.Equal(3, service.Calls);
            await service.StyleAsync(new StyledPrompt("x", "formal"));
            await service.StyleAsync(new Prompt("x"));
            Assert.Equal(3, service.Calls);
        }
    }

    [Fact]
    public async Task DerivedClassArguments_AreKeyedByTheirRuntimeType()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            await service.PersonaAsync(new FormalPersona { Name = "n", Register = "formal" });
            await service.PersonaAsync(new FormalPersona { Name = "n", Register = "legal" });
            await service.PersonaAsync(new Persona { Name = "n" });
            Assert.Equal(3, service.Calls);
            await service.PersonaAsync(new FormalPersona { Name = "n", Register = "legal" });
            Assert.Equal(3, service.Calls);
        }
    }

    [Fact]
    public async Task CollectionSubclasses_KeyTheirOwnMembers()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            await service.ConversationAsync(new Conversation { "hi" }.With(c => c.Topic = "billing"));
            await service.ConversationAsync(new Conversation { "hi" }.With(c => c.Topic = "refunds"));
            Assert.Equal(2, service.Calls);
            await service.ConversationAsync(new Conversation { "hi" }.With(c => c.Topic = "billing"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task ASealedDictionarySubclass_IsCopiedPerCaller()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            Scores first = await service.ScoresAsync("p");
            first["a"] = 99;
            first["b"] = 1;
            Scores second = await service.ScoresAsync("p");
            Assert.Equal(1, service.Calls);
            Assert.NotSame(first, second);
            Assert.Equal(1, second["a"]);
            Assert.False(second.ContainsKey("b"));
        }
    }

    [Fact]
    public async Task ASealedRecordWithASettableBaseProperty_IsCopiedPerCaller()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            FinalDraft first = await service.DraftAsync("p");
            first.Text = "changed";
            FinalDraft second = await service.DraftAsync("p");
            Assert.Equal(1, service.Calls);
            Assert.Equal("p", second.Text);
        }
    }

    [Fact]
    public async Task TheMethodsOwnException_ReachesTheCallerAsItself_OnTheNoCachePath()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            service.Failure = () => new HttpRequestException("provider down");
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => service.FailingAsync("q", new CacheControl { NoCache = true }));
            Assert.Equal("provider down", ex.Message);
            Assert.Contains("FailingAsync", ex.StackTrace); // a literal: Roslyn 4.14, which the agreement test compiles with, fails on nameof of a method group here
            using (LlmCacheScope.With(new CacheControl { NoCache = true }))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => service.FailingAsync("q"));
            }
        }
    }

    [Fact]
    public async Task TheMethodsOwnException_ReachesTheCallerAsItself_OnTheRefreshOfATooOldTierEntry()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var tier = new DictionaryTier();
        var (writer, writerRuntime) = Create(o => o.Tiers.Add(tier), clock);
        var (reader, readerRuntime) = Create(o => o.Tiers.Add(tier), clock);
        using (writerRuntime)
        using (readerRuntime)
        {
            await writer.FailingAsync("q");
            await writerRuntime.FlushAsync();
            clock.Advance(TimeSpan.FromMinutes(10));
            reader.Failure = () => new OperationCanceledException("provider cancelled");
            using (LlmCacheScope.With(new CacheControl { MaxAge = TimeSpan.FromMinutes(1) }))
            {
                await Assert.ThrowsAsync<OperationCanceledException>(() => reader.FailingAsync("q"));
            }
            Assert.Equal(1, reader.Calls);
        }
    }

    [Fact]
    public async Task AResultTypeWithoutAJsonContract_RunsUncached_WithoutThrowing()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            Assert.Equal("a", (await service.ClashingAsync("a")).First);
            Assert.Equal("a", (await service.ClashingAsync("a")).First);
            Assert.Equal(2, service.Calls);
            Assert.True(runtime.Statistics.Errors > 0);
        }
    }

    [Fact]
    public async Task AResultThatCannotBeCopied_IsReturned_NotStored()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            Assert.Equal(2, (await service.UncopyableAsync("a")).Value);
            Assert.Equal(4, (await service.UncopyableAsync("a")).Value);
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task AStreamItemOfAnUnknownContentKind_IsPassedThrough_AndTheStreamIsNotStored()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            for (int round = 1; round <= 2; round++)
            {
                var items = new List<ChatResponseUpdate>();
                await foreach (ChatResponseUpdate update in service.SecretStreamAsync("p"))
                {
                    items.Add(update);
                }
                Assert.Equal(3, items.Count);
                Assert.IsType<SecretContent>(items[1].Contents[0]);
                Assert.Equal(round, service.Calls);
            }
        }
    }

    [Fact]
    public async Task AnInProgressBackgroundResponse_IsNotStored()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            await service.BackgroundAsync("p");
            await service.BackgroundAsync("p");
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task ASingleUseSequence_IsReadOnce_AndTheMethodSeesEveryItem()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            Assert.Equal(6, await service.SumAsync(new OnePass<int>([1, 2, 3])));
            Assert.Equal([1, 2, 3], service.SeenItems);
            Assert.Equal(6, await service.SumAsync(new OnePass<int>([1, 2, 3])));
            Assert.Equal(1, service.Calls);
            // A different sequence is a different key, not the empty sequence's.
            Assert.Equal(7, await service.SumAsync(new OnePass<int>([3, 4])));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task AStreamThatEndsQuietlyAfterItsCallerCancelled_IsNotStored()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            using var cts = new CancellationTokenSource();
            var seen = new List<string>();
            await foreach (string item in service.QuietStreamAsync("p", cts.Token))
            {
                seen.Add(item);
                cts.Cancel();
            }
            Assert.Single(seen);
            var full = new List<string>();
            await foreach (string item in service.QuietStreamAsync("p"))
            {
                full.Add(item);
            }
            Assert.Equal(5, full.Count);
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public async Task AResultReturnedAfterTheCallerCancelled_IsNotStored()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            using (LlmCacheScope.With(new CacheControl { NoCache = true }))
            {
                Assert.Equal("p#1", await service.IgnoresCancellationAsync("p", cts.Token));
            }
            Assert.Equal("p#2", await service.IgnoresCancellationAsync("p", CancellationToken.None));
        }
    }

    [Fact]
    public async Task AnEvictionDuringTheCall_WinsOverItsStore()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            service.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<string> running = service.GatedAsync("p");
            await LlmCacheKeys.CorrectnessService_GatedAsync("p").EvictAsync(runtime);
            service.Gate.SetResult();
            Assert.Equal("p#1", await running);
            service.Gate = null;
            Assert.Equal("p#2", await service.GatedAsync("p"));
        }
    }

    [Fact]
    public async Task ATagRemovalInOneProcess_IsHonouredByAnotherSharingTheTier_WithoutANotificationChannel()
    {
        var tier = new DictionaryTier();
        var (a, runtimeA) = Create(o => o.Tiers.Add(tier));
        var (b, runtimeB) = Create(o => o.Tiers.Add(tier));
        a.Name = "A";
        b.Name = "B";
        using (runtimeA)
        using (runtimeB)
        {
            Assert.Equal("q#B1", await b.FailingAsync("q"));
            await runtimeB.FlushAsync();
            Assert.Equal("q#B1", await a.FailingAsync("q")); // from the shared tier
            Assert.Equal(0, a.Calls);

            await runtimeA.RemoveByTagAsync("faq");
            Assert.Equal("q#A1", await a.FailingAsync("q"));
            await runtimeA.FlushAsync();

            // B holds the old entry in memory; within about a second it learns of the removal from the tier.
            var watch = Stopwatch.StartNew();
            string seen = await b.FailingAsync("q");
            while (seen == "q#B1" && watch.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(50);
                seen = await b.FailingAsync("q");
            }
            Assert.NotEqual("q#B1", seen);

            // A process started after the removal never serves an entry written before it.
            var (c, runtimeC) = Create(o => o.Tiers.Add(tier));
            c.Name = "C";
            using (runtimeC)
            {
                Assert.NotEqual("q#B1", await c.FailingAsync("q"));
            }
        }
    }

    [Fact]
    public async Task ATierWriteThatLandsAfterAnEviction_IsRemovedAgain_AndNeverServedHere()
    {
        var tier = new DictionaryTier();
        void Configure(LlmCacheOptions o)
        {
            o.Tiers.Add(tier);
            o.TierResilience.Timeout = TimeSpan.FromMilliseconds(50);
            o.TierResilience.RetryDelay = TimeSpan.FromMilliseconds(10);
            o.TierResilience.WriteRetries = 0;
        }
        var (a, runtimeA) = Create(Configure);
        var (b, runtimeB) = Create(Configure);
        a.Name = "A";
        b.Name = "B";
        using (runtimeA)
        using (runtimeB)
        {
            Assert.Equal("late#A1", await a.FailingAsync("late"));
            await runtimeA.FlushAsync();
            string key = LlmCacheKeys.CorrectnessService_FailingAsync("late").Key(runtimeA);
            byte[] old = tier.Get(key)!;

            await LlmCacheKeys.CorrectnessService_FailingAsync("late").EvictAsync(runtimeA);
            tier.Set(key, old, new()); // a write that was in flight lands after the eviction
            Assert.Equal("late#A2", await a.FailingAsync("late")); // this process knows it was removed
            await runtimeA.FlushAsync();
            byte[] fresh = tier.Get(key)!;
            tier.Set(key, old, new()); // once more, over the fresh answer

            var watch = Stopwatch.StartNew();
            while (tier.Get(key) is not null && watch.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
            }
            Assert.Null(tier.Get(key));
            Assert.Equal("late#B1", await b.FailingAsync("late"));
            Assert.NotNull(fresh);
        }
    }

    [Fact]
    public async Task ARemovalATierCouldNotTake_IsReportedIncomplete_AndLandsOnceTheTierIsBack()
    {
        var tier = new DictionaryTier();
        var (a, runtime) = Create(o =>
        {
            o.Tiers.Add(tier);
            o.TierResilience.Timeout = TimeSpan.FromMilliseconds(100);
            o.TierResilience.BreakDuration = TimeSpan.FromMilliseconds(500); // the shortest Polly allows
            o.TierResilience.RetryDelay = TimeSpan.FromMilliseconds(5);
            o.TierResilience.WriteRetries = 0;
        });
        using (runtime)
        {
            await a.FailingAsync("r");
            await runtime.FlushAsync();
            string key = LlmCacheKeys.CorrectnessService_FailingAsync("r").Key(runtime);
            Assert.NotNull(tier.Get(key));

            tier.RemovalsFail = true;
            Assert.False(await LlmCacheKeys.CorrectnessService_FailingAsync("r").EvictAsync(runtime));
            Assert.NotNull(tier.Get(key));
            await Task.Delay(700); // the first retry meets the tier still failing

            tier.RemovalsFail = false;
            Assert.True(await runtime.RemoveByTagAsync("faq"));
            var watch = Stopwatch.StartNew();
            while (tier.Get(key) is not null && watch.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
            }
            Assert.Null(tier.Get(key));
        }
    }

    [Fact]
    public async Task ACorruptValueInATier_IsAMiss_AndTheFreshAnswerReplacesIt()
    {
        var tier = new DictionaryTier();
        var (a, runtime) = Create(o => o.Tiers.Add(tier));
        using (runtime)
        {
            string key = LlmCacheKeys.CorrectnessService_FailingAsync("c").Key(runtime);
            tier.Set(key, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], new());
            Assert.Equal("c#1", await a.FailingAsync("c"));
            await runtime.FlushAsync();
            Assert.NotEqual(20, tier.Get(key)!.Length);

            var (b, other) = Create(o => o.Tiers.Add(tier));
            using (other)
            {
                Assert.Equal("c#1", await b.FailingAsync("c"));
                Assert.Equal(0, b.Calls);
            }
        }
    }

    [Fact]
    public async Task WithAKeySecret_AValueCopiedUnderAnotherKeyOrWrittenWithoutTheSecret_IsAMiss()
    {
        const string Secret = "the deployment secret, 32 chars.";
        var tier = new DictionaryTier();
        var (writer, writerRuntime) = Create(o => { o.Tiers.Add(tier); o.KeySecret = Secret; });
        var (reader, readerRuntime) = Create(o => { o.Tiers.Add(tier); o.KeySecret = Secret; });
        var (outsider, outsiderRuntime) = Create(o => o.Tiers.Add(tier));
        writer.Name = "W";
        outsider.Name = "O";
        using (writerRuntime)
        using (readerRuntime)
        using (outsiderRuntime)
        {
            Assert.Equal("a#W1", await writer.FailingAsync("a"));
            await writerRuntime.FlushAsync();
            Assert.Equal("a#W1", await reader.FailingAsync("a")); // same secret: served from the tier
            Assert.Equal(0, reader.Calls);

            // Someone who can write to the tier copies a valid value under the key of another request.
            string keyA = LlmCacheKeys.CorrectnessService_FailingAsync("a").Key(readerRuntime);
            string keyB = LlmCacheKeys.CorrectnessService_FailingAsync("b").Key(readerRuntime);
            tier.Set(keyB, tier.Get(keyA)!, new());
            Assert.Equal("b#1", await reader.FailingAsync("b"));

            // A value written by a process without the secret is not trusted either.
            Assert.Equal("c#O1", await outsider.FailingAsync("c"));
            await outsiderRuntime.FlushAsync();
            Assert.Equal("c#2", await reader.FailingAsync("c"));
        }
    }

    [Fact]
    public async Task ASharedRemovalRecord_NeverGoesBackInTime()
    {
        var tier = new DictionaryTier();
        var late = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 10, 0, TimeSpan.Zero));
        var early = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var (_, lateRuntime) = Create(o => o.Tiers.Add(tier), late);
        var (_, earlyRuntime) = Create(o => o.Tiers.Add(tier), early);
        using (lateRuntime)
        using (earlyRuntime)
        {
            string record = "llmcache:v1:~tag:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("faq"u8)[..16]).ToLowerInvariant();
            Assert.True(await lateRuntime.RemoveByTagAsync("faq"));
            Assert.True(await earlyRuntime.RemoveByTagAsync("faq")); // a slower writer, or a retry, with an older time
            long held = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(tier.Get(record));
            Assert.Equal(late.GetUtcNow().UtcTicks, held);
        }
    }

    [Fact]
    public async Task TenantPartitions_AreKeyedWithTheSecret_AndOneTenantCanBeForgotten()
    {
        const string Secret = "a deployment secret of some length";
        var (service, runtime) = Create(o => o.KeySecret = Secret);
        var (plain, plainRuntime) = Create();
        using (runtime)
        using (plainRuntime)
        {
            string keyed = LlmCacheKeys.CorrectnessService_TenantAsync("p", "acme").Key(runtime);
            string unkeyed = LlmCacheKeys.CorrectnessService_TenantAsync("p", "acme").Key(plainRuntime);
            string Segment(string key) => key.Split(':').Single(s => s.StartsWith("t-", StringComparison.Ordinal));
            Assert.NotEqual(Segment(unkeyed), Segment(keyed));
            Assert.DoesNotContain("acme", keyed);

            await service.TenantAsync("p", "acme");
            await service.TenantAsync("p", "globex");
            await runtime.ForgetTenantAsync("acme");
            Assert.Equal("acme:p#3", await service.TenantAsync("p", "acme"));
            Assert.Equal("globex:p#2", await service.TenantAsync("p", "globex"));

            // A tenant of another type is forgotten by its value too.
            await service.NumberedTenantAsync("p", 7);
            await service.NumberedTenantAsync("p", 8);
            Assert.True(await runtime.ForgetTenantAsync(7));
            Assert.Equal("7:p#6", await service.NumberedTenantAsync("p", 7));
            Assert.Equal("8:p#5", await service.NumberedTenantAsync("p", 8));
        }
    }

    [Fact]
    public async Task AnInvalidControlArgument_IsTheCallersError_BeforeTheMethodRuns()
    {
        var (service, runtime) = Create();
        using (runtime)
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.FailingAsync("q", new CacheControl { Ttl = TimeSpan.FromSeconds(-1) }));
            Assert.Equal(0, service.Calls);
        }
    }
}

internal static class Fluent
{
    public static T With<T>(this T value, Action<T> change)
    {
        change(value);
        return value;
    }
}
