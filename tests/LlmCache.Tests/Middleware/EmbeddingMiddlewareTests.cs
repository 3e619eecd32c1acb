using System.Runtime.InteropServices;
using LlmCache.Tests.Correctness;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache.Tests.Middleware;

/// <summary><c>UseLlmCache()</c> on an embedding pipeline: one entry per input, one provider call per batch at most.</summary>
public sealed class EmbeddingMiddlewareTests
{
    private static bool IsHit(Embedding embedding) =>
        embedding.AdditionalProperties?.TryGetValue(LlmCacheProperties.Hit, out object? hit) == true && hit is true;

    /// <summary>The input an embedding was computed for, as the fake model wrote it.</summary>
    private static string InputOf(Embedding<float> embedding) => embedding.AdditionalProperties!["input"]!.ToString()!;

    /// <summary>The provider call that computed an embedding (first vector component).</summary>
    private static int CallOf(Embedding<float> embedding) => (int)embedding.Vector.Span[0];

    private static IEmbeddingGenerator<string, Embedding<float>> Cached(IEmbeddingGenerator<string, Embedding<float>> inner, LlmCacheRuntime runtime,
        Action<LlmCacheEmbeddingGeneratorOptions>? configure = null) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner).UseLlmCache(runtime, configure).Build();

    [Fact]
    public async Task APartlyCachedBatch_MakesOneProviderCall_WithExactlyTheMissesInOrder()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);

        GeneratedEmbeddings<Embedding<float>> first = await generator.GenerateAsync(["a", "b"]);
        Assert.Equal(2, first.Usage!.InputTokenCount);

        using CacheProbe probe = LlmCacheScope.Observe();
        GeneratedEmbeddings<Embedding<float>> second = await generator.GenerateAsync(["c", "a", "d", "b", "e"]);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(["c", "d", "e"], inner.Batches[1]);
        Assert.Equal(["c", "a", "d", "b", "e"], second.Select(InputOf));
        Assert.Equal([2, 1, 2, 1, 2], second.Select(CallOf));
        Assert.Equal([false, true, false, true, false], second.Select(IsHit));
        // Only what was computed is paid for: the inner call's usage, three inputs.
        Assert.Equal(3, second.Usage!.InputTokenCount);
        // Hits and misses are counted per input.
        Assert.Equal(2, probe.Hits);
        Assert.Equal(3, probe.Misses);
        Assert.Equal(new LlmCacheStatistics(Hits: 2, Misses: 5, Errors: 0, KeyFailures: 0), runtime.Statistics);
    }

    [Fact]
    public async Task AFullyCachedBatch_MakesNoProviderCall_AndReportsNoUsage()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["x", "y", "z"]);

        GeneratedEmbeddings<Embedding<float>> again = await generator.GenerateAsync(["z", "x"]);

        Assert.Equal(1, inner.Calls);
        Assert.Equal(["z", "x"], again.Select(InputOf));
        Assert.All(again, e => Assert.True(IsHit(e)));
        Assert.Equal(new float[] { 1, 2, 1 }, again[0].Vector.ToArray()); // z was the third input of call 1
        Assert.True(again.Usage is null || again.Usage.InputTokenCount is null or 0);
    }

    [Fact]
    public async Task DuplicateInputsInABatch_AreComputedOnce_AndHandedOutAsSeparateObjects()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);

        GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(["x", "y", "x", "x"]);

        Assert.Equal(["x", "y"], Assert.Single(inner.Batches));
        Assert.Equal(["x", "y", "x", "x"], result.Select(InputOf));
        Assert.Equal(result[0].Vector.ToArray(), result[2].Vector.ToArray());
        Assert.Equal(result[0].Vector.ToArray(), result[3].Vector.ToArray());
        Assert.NotSame(result[0], result[2]);
        Assert.False(MemoryMarshal.TryGetArray(result[0].Vector, out ArraySegment<float> a) && MemoryMarshal.TryGetArray(result[2].Vector, out ArraySegment<float> b)
            && ReferenceEquals(a.Array, b.Array));
        Assert.All(result, e => Assert.False(IsHit(e)));

        // Duplicated hits: one read, separate copies, every one marked.
        GeneratedEmbeddings<Embedding<float>> hits = await generator.GenerateAsync(["y", "y"]);
        Assert.Equal(1, inner.Calls);
        Assert.NotSame(hits[0], hits[1]);
        Assert.All(hits, e => Assert.True(IsHit(e)));
    }

    [Fact]
    public async Task OptionsAndTheGeneratorsModel_AreInTheKey()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText(model: "m1", dimensions: 3);
        var generator = Cached(inner, runtime);

        await generator.GenerateAsync(["q"], new EmbeddingGenerationOptions { Dimensions = 256 });
        Assert.True(IsHit((await generator.GenerateAsync(["q"], new EmbeddingGenerationOptions { Dimensions = 256 }))[0]));
        Assert.False(IsHit((await generator.GenerateAsync(["q"], new EmbeddingGenerationOptions { Dimensions = 512 }))[0]));
        Assert.False(IsHit((await generator.GenerateAsync(["q"], new EmbeddingGenerationOptions { Dimensions = 256, ModelId = "other" }))[0]));
        Assert.False(IsHit((await generator.GenerateAsync(["q"], new EmbeddingGenerationOptions
        {
            Dimensions = 256,
            AdditionalProperties = new() { ["encoding_format"] = "base64" },
        }))[0]));
        Assert.Equal(4, inner.Calls);

        // No options and empty options are one request.
        await generator.GenerateAsync(["n"]);
        Assert.True(IsHit((await generator.GenerateAsync(["n"], new EmbeddingGenerationOptions()))[0]));
        Assert.Equal(5, inner.Calls);

        // Another default model, other default dimensions, another endpoint: other entries.
        foreach (var other in new[]
        {
            CountingEmbeddingGenerator.OfText(model: "m2", dimensions: 3),
            CountingEmbeddingGenerator.OfText(model: "m1", dimensions: 1536),
            CountingEmbeddingGenerator.OfText(model: "m1", dimensions: 3, endpoint: "https://west.example/"),
            CountingEmbeddingGenerator.OfText(provider: "another", model: "m1", dimensions: 3),
        })
        {
            Assert.False(IsHit((await Cached(other, runtime).GenerateAsync(["n"]))[0]));
            Assert.Equal(1, other.Calls);
        }
        // The same provider and model through another pipeline instance: shared.
        var twin = CountingEmbeddingGenerator.OfText(model: "m1", dimensions: 3);
        Assert.True(IsHit((await Cached(twin, runtime).GenerateAsync(["n"]))[0]));
        Assert.Equal(0, twin.Calls);
    }

    [Fact]
    public async Task ATenantScope_PartitionsEntries()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { KeySecret = "a-test-secret-of-32-characters!!" });
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);

        using (LlmCacheScope.ForTenant("acme"))
        {
            await generator.GenerateAsync(["t", "u"]);
            Assert.All(await generator.GenerateAsync(["t", "u"]), e => Assert.True(IsHit(e)));
        }
        using (LlmCacheScope.ForTenant("globex"))
        {
            // Same inputs, another tenant: computed again, never served acme's.
            GeneratedEmbeddings<Embedding<float>> theirs = await generator.GenerateAsync(["t", "u"]);
            Assert.All(theirs, e => Assert.False(IsHit(e)));
            Assert.All(theirs, e => Assert.Equal(2, CallOf(e)));
        }
        Assert.All(await generator.GenerateAsync(["u"]), e => Assert.False(IsHit(e))); // no tenant: a partition of its own
        Assert.Equal(3, inner.Calls);

        Assert.True(await runtime.ForgetTenantAsync("acme"));
        using (LlmCacheScope.ForTenant("acme"))
        {
            Assert.Equal(4, CallOf((await generator.GenerateAsync(["t"]))[0]));
        }
        using (LlmCacheScope.ForTenant("globex"))
        {
            Assert.True(IsHit((await generator.GenerateAsync(["t"]))[0]));
        }
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task NoCache_RecomputesEveryInput_AndStoresTheFreshOnes()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["a", "b"]);

        GeneratedEmbeddings<Embedding<float>> fresh;
        using (LlmCacheScope.With(new CacheControl { NoCache = true }))
        {
            fresh = await generator.GenerateAsync(["a", "b", "c"]);
        }

        Assert.Equal(["a", "b", "c"], inner.Batches[1]);
        Assert.All(fresh, e => Assert.False(IsHit(e)));
        // The fresh embeddings replaced the entries.
        GeneratedEmbeddings<Embedding<float>> after = await generator.GenerateAsync(["a", "b", "c"]);
        Assert.Equal(2, inner.Calls);
        Assert.All(after, e => Assert.Equal(2, CallOf(e)));
    }

    [Fact]
    public async Task NoStore_ReadsTheCache_ButKeepsNothingNew()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["a"]);

        using (LlmCacheScope.With(new CacheControl { NoStore = true }))
        {
            GeneratedEmbeddings<Embedding<float>> mixed = await generator.GenerateAsync(["a", "b"]);
            Assert.Equal([true, false], mixed.Select(IsHit));
        }
        Assert.Equal(["b"], inner.Batches[1]);

        GeneratedEmbeddings<Embedding<float>> later = await generator.GenerateAsync(["a", "b"]);
        Assert.Equal(["b"], inner.Batches[2]); // b was not kept
        Assert.Equal([true, false], later.Select(IsHit));
    }

    [Fact]
    public async Task Bypass_SendsTheWholeBatchToTheProvider_AndNeitherReadsNorWrites()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["a"]);

        using (LlmCacheScope.Disable())
        {
            GeneratedEmbeddings<Embedding<float>> bypassed = await generator.GenerateAsync(["a", "b", "a"]);
            Assert.All(bypassed, e => Assert.False(IsHit(e)));
        }

        Assert.Equal(["a", "b", "a"], inner.Batches[1]);
        await generator.GenerateAsync(["b"]);
        Assert.Equal(["b"], inner.Batches[2]);
    }

    [Fact]
    public async Task AControlOnTheOptions_AppliesToThatCall_WithoutEnteringTheKeyOrReachingTheProvider()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        var options = new EmbeddingGenerationOptions { Dimensions = 8, AdditionalProperties = new() { ["user"] = "u1" } };
        await generator.GenerateAsync(["c"], options);

        EmbeddingGenerationOptions fresh = options.Clone().WithCacheControl(new CacheControl { NoCache = true });
        Assert.Equal(2, CallOf((await generator.GenerateAsync(["c"], fresh))[0]));
        Assert.False(inner.LastOptions!.AdditionalProperties!.ContainsKey(LlmCacheProperties.Control));
        Assert.Equal("u1", inner.LastOptions.AdditionalProperties["user"]);
        Assert.Equal(8, inner.LastOptions.Dimensions);
        Assert.True(fresh.AdditionalProperties!.ContainsKey(LlmCacheProperties.Control)); // the caller's object is untouched

        // Stored under the request's own key: a plain call is a hit of it.
        Embedding<float> again = (await generator.GenerateAsync(["c"], options))[0];
        Assert.True(IsHit(again));
        Assert.Equal(2, CallOf(again));

        // Options holding nothing but a control are the same request as no options.
        await generator.GenerateAsync(["p"]);
        Assert.Equal(4, CallOf((await generator.GenerateAsync(["p"], new EmbeddingGenerationOptions().WithCacheControl(CacheControl.FreshRead)))[0]));
        Assert.Equal(4, CallOf((await generator.GenerateAsync(["p"]))[0]));
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task MaxAge_RefusesOlderEntries()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(50));
        using var runtime = new LlmCacheRuntime(timeProvider: clock);
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["old"]);
        clock.Advance(TimeSpan.FromMinutes(10));
        await generator.GenerateAsync(["new"]);

        var young = new EmbeddingGenerationOptions().WithCacheControl(new CacheControl { MaxAge = TimeSpan.FromMinutes(5) });
        GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(["old", "new"], young);

        Assert.Equal(["old"], inner.Batches[2]);
        Assert.Equal([false, true], result.Select(IsHit));
    }

    [Fact]
    public async Task WritingIntoAReturnedVector_NeverReachesTheCache()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);

        Embedding<float> computed = (await generator.GenerateAsync(["v"]))[0];
        Assert.True(MemoryMarshal.TryGetArray(computed.Vector, out ArraySegment<float> mine));
        mine.Array![0] = 999;
        computed.AdditionalProperties!["input"] = "tampered";

        Embedding<float> hit = (await generator.GenerateAsync(["v"]))[0];
        Assert.Equal(new float[] { 1, 0, 1 }, hit.Vector.ToArray());
        Assert.Equal("v", InputOf(hit));
        Assert.True(MemoryMarshal.TryGetArray(hit.Vector, out ArraySegment<float> theirs));
        theirs.Array![1] = -1;
        hit.AdditionalProperties!.Clear();

        Embedding<float> next = (await generator.GenerateAsync(["v"]))[0];
        Assert.Equal(new float[] { 1, 0, 1 }, next.Vector.ToArray());
        Assert.True(IsHit(next));
        Assert.Equal("v", InputOf(next));
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task AnInnerFailure_PassesThroughAsItself_AndStoresNothing()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["a"]);

        var boom = new InvalidOperationException("rate limited");
        inner.Failure = () => boom;
        InvalidOperationException thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["a", "b"]));
        Assert.Same(boom, thrown);
        Assert.Equal(["b"], inner.Batches[1]);

        inner.Failure = null;
        await generator.GenerateAsync(["a", "b"]);
        Assert.Equal(["b"], inner.Batches[2]); // b was not stored by the failed call
        Assert.Equal(0, runtime.Statistics.Errors);
    }

    [Fact]
    public async Task AnAnswerOfTheWrongLength_IsNotStored_AndTheCallerGetsWhatItsGeneratorAnswers()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        inner.DropsOne = true;

        // Every input missed: the answer to the caller's own batch, as it is.
        GeneratedEmbeddings<Embedding<float>> whole = await generator.GenerateAsync(["a", "b"]);
        Assert.Equal(["a"], whole.Select(InputOf));
        Assert.Single(inner.Batches);

        inner.DropsOne = false;
        await generator.GenerateAsync(["c"]);
        inner.DropsOne = true;
        // Partly cached: the misses' answer cannot be matched to inputs, so the caller's batch goes to its generator.
        GeneratedEmbeddings<Embedding<float>> mixed = await generator.GenerateAsync(["c", "a", "b"]);
        Assert.Equal(["a", "b"], inner.Batches[2]);
        Assert.Equal(["c", "a", "b"], inner.Batches[3]);
        Assert.Equal(["c", "a"], mixed.Select(InputOf));
        Assert.All(mixed, e => Assert.False(IsHit(e)));

        inner.DropsOne = false;
        await generator.GenerateAsync(["a", "b"]);
        Assert.Equal(["a", "b"], inner.Batches[4]); // neither was stored
    }

    [Fact]
    public async Task AFailingTier_NeverFailsTheCall()
    {
        var tier = new FailingTier();
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Tiers = { tier },
            // A result-dependent TTL that throws: a store failure of the runtime's own.
            ResultTtl = context => context.Result is Embedding<float> e && e.Vector.Span[2] == 4 ? throw new IOException("ttl") : null,
        });
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);

        GeneratedEmbeddings<Embedding<float>> first = await generator.GenerateAsync(["a", "four"]);
        Assert.Equal(["a", "four"], first.Select(InputOf));
        GeneratedEmbeddings<Embedding<float>> second = await generator.GenerateAsync(["a", "four", "b"]);

        Assert.Equal(["a", "four", "b"], second.Select(InputOf));
        Assert.Equal(["four", "b"], inner.Batches[1]); // a was kept in memory; "four" could not be stored
        Assert.Equal([true, false, false], second.Select(IsHit));
        Assert.True(tier.Failures > 0);
        Assert.True(runtime.Statistics.Errors > 0);
    }

    [Fact]
    public async Task EmbeddingsTravelThroughATier_ToAnotherRuntime()
    {
        var tier = new DictionaryTier();
        await using var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        await using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        var first = CountingEmbeddingGenerator.OfText();
        var second = CountingEmbeddingGenerator.OfText();

        await Cached(first, writer).GenerateAsync(["shared", "first-only"]);
        await writer.FlushAsync();
        using CacheProbe probe = LlmCacheScope.Observe();
        GeneratedEmbeddings<Embedding<float>> read = await Cached(second, reader).GenerateAsync(["shared", "other"]);

        Assert.Equal(["other"], Assert.Single(second.Batches));
        Assert.True(IsHit(read[0]));
        Assert.Equal(new float[] { 1, 0, 6 }, read[0].Vector.ToArray());
        Assert.Equal("fake-embed", read[0].ModelId);
        Assert.Equal(CacheSource.Distributed, probe.Outcomes.Single(o => o.Hit).Source);
        Assert.Equal(1, reader.Statistics.Hits);
    }

    [Fact]
    public async Task ALargeBatch_IsReadFromATier_InInputOrder()
    {
        var tier = new DictionaryTier();
        await using var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        await using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        string[] inputs = Enumerable.Range(0, 40).Select(i => "item-" + i).ToArray();
        await Cached(CountingEmbeddingGenerator.OfText(), writer).GenerateAsync(inputs.Where((_, i) => i % 4 != 3).ToArray());
        await writer.FlushAsync();
        var inner = CountingEmbeddingGenerator.OfText();

        GeneratedEmbeddings<Embedding<float>> read = await Cached(inner, reader).GenerateAsync(inputs);

        Assert.Equal(inputs.Where((_, i) => i % 4 == 3), Assert.Single(inner.Batches));
        Assert.Equal(inputs, read.Select(InputOf));
        Assert.Equal(inputs.Select((_, i) => i % 4 != 3), read.Select(IsHit));
        Assert.Equal(30, reader.Statistics.Hits);
        Assert.Equal(10, reader.Statistics.Misses);
    }

    [Fact]
    public async Task ADisabledRuntime_SendsTheBatchAsItCame()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var generator = Cached(inner, runtime);
        await generator.GenerateAsync(["a"]);

        runtime.Enabled = false;
        GeneratedEmbeddings<Embedding<float>> off = await generator.GenerateAsync(["a", "a"]);

        Assert.Equal(["a", "a"], inner.Batches[1]);
        Assert.All(off, e => Assert.False(IsHit(e)));
        Assert.Equal(2, off.Usage!.InputTokenCount);
    }

    [Fact]
    public void EmbeddingsOfEveryVectorType_AreCopiedDeeply()
    {
        var options = AIJsonUtilities.DefaultOptions;
        var doubles = new Embedding<double>(new double[] { 1.5, 2.5 }) { ModelId = "m", AdditionalProperties = new() { ["k"] = "v" } };
        Embedding<double> doubleCopy = ValueCopier<Embedding<double>>.Copy(doubles, options);
        Assert.True(MemoryMarshal.TryGetArray(doubles.Vector, out ArraySegment<double> original));
        original.Array![0] = 9;
        Assert.Equal(new[] { 1.5, 2.5 }, doubleCopy.Vector.ToArray());
        Assert.Equal("m", doubleCopy.ModelId);
        doubles.AdditionalProperties["k"] = "changed";
        Assert.Equal("v", doubleCopy.AdditionalProperties!["k"]);

        var bits = new BinaryEmbedding(new System.Collections.BitArray(new[] { true, false, true }));
        BinaryEmbedding bitsCopy = ValueCopier<BinaryEmbedding>.Copy(bits, options);
        bits.Vector[1] = true;
        Assert.False(bitsCopy.Vector[1]);
        Assert.Equal(3, bitsCopy.Dimensions);

        var halves = new Embedding<Half>(new[] { (Half)1, (Half)2 });
        Embedding<Half> halfCopy = ValueCopier<Embedding<Half>>.Copy(halves, options);
        Assert.NotSame(halves, halfCopy);
        Assert.Equal(halves.Vector.ToArray(), halfCopy.Vector.ToArray());
    }

    [Fact]
    public async Task TheDiForm_UsesTheRegisteredRuntime()
    {
        var inner = CountingEmbeddingGenerator.OfText();
        var services = new ServiceCollection();
        services.AddLlmCache(o => o.UseAsDefault = false); // resolved from the services, not through Default
        services.AddEmbeddingGenerator(inner).UseLlmCache(configure: o => o.Tags = ["embeddings"]);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();

        var middleware = generator.GetService<LlmCacheEmbeddingGenerator<string, Embedding<float>>>();
        Assert.NotNull(middleware);
        Assert.Equal(["embeddings"], middleware.Method.Tags);
        await generator.GenerateAsync(["di", "x"]);
        GeneratedEmbeddings<Embedding<float>> second = await generator.GenerateAsync(["di", "y"]);

        Assert.Equal(["y"], inner.Batches[1]);
        Assert.True(IsHit(second[0]));
        Assert.Equal(1, runtime.Statistics.Hits);
        Assert.Equal(3, runtime.Statistics.Misses);

        // Removing by the generator's tag drops its entries.
        Assert.True(await runtime.RemoveByTagAsync("embeddings"));
        await generator.GenerateAsync(["di"]);
        Assert.Equal(["di"], inner.Batches[2]);
    }

    [Fact]
    public async Task ContentInputs_AreKeyedByTheirBytes()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingEmbeddingGenerator<DataContent>(static d => d.Name ?? "?");
        var generator = new EmbeddingGeneratorBuilder<DataContent, Embedding<float>>(inner).UseLlmCache(runtime).Build();
        DataContent Image(byte b, string name) => new(new byte[] { 1, 2, b }, "image/png") { Name = name };

        await generator.GenerateAsync([Image(3, "one"), Image(4, "two")]);
        GeneratedEmbeddings<Embedding<float>> again = await generator.GenerateAsync([Image(3, "one"), Image(5, "two")]);

        Assert.Equal(["two"], inner.Batches[1]); // same name, other bytes: another input
        Assert.Equal([true, false], again.Select(IsHit));
    }

    [Fact]
    public async Task InputsThatCannotBeKeyed_PassThroughUncached_AndAreCounted()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingEmbeddingGenerator<Opaque>(static o => o.ToString());
        var generator = new EmbeddingGeneratorBuilder<Opaque, Embedding<float>>(inner).UseLlmCache(runtime).Build();

        await generator.GenerateAsync([new Opaque(1), new Opaque(1)]);
        GeneratedEmbeddings<Embedding<float>> again = await generator.GenerateAsync([new Opaque(1), new Opaque(1)]);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(["opaque", "opaque"], inner.Batches[1]); // the whole batch, as it came
        Assert.All(again, e => Assert.False(IsHit(e)));
        Assert.Equal(4, runtime.Statistics.KeyFailures);
        Assert.Equal(0, runtime.Statistics.Misses);
    }

    [Fact]
    public async Task TheGeneratorNamespace_SeparatesEntries_AndTheMethodIdNamesTheShape()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = CountingEmbeddingGenerator.OfText();
        var plain = new LlmCacheEmbeddingGenerator<string, Embedding<float>>(inner, runtime);
        var named = new LlmCacheEmbeddingGenerator<string, Embedding<float>>(inner, runtime,
            new LlmCacheEmbeddingGeneratorOptions { Namespace = "v2", Ttl = TimeSpan.FromDays(30) });

        await plain.GenerateAsync(["k"]);
        await named.GenerateAsync(["k"]);

        Assert.Equal(2, inner.Calls);
        Assert.Matches(@"^LlmCache\.EmbeddingGenerator\.GenerateAsync\.[0-9a-f]{16}$", plain.Method.Id);
        Assert.NotEqual(plain.Method.Id, named.Method.Id);
        Assert.Equal(TimeSpan.FromDays(30), named.Method.Ttl);
        Assert.Equal(["generator", "input", "options"], plain.Method.KeyedParameters);
    }

    /// <summary>All of its state is private: the key writer refuses it.</summary>
    public sealed class Opaque(int seed)
    {
        private readonly int _seed = seed;

        public override string ToString() => _seed > 0 ? "opaque" : "none";
    }

    /// <summary>A second level whose every operation fails, as an unreachable server's would.</summary>
    private sealed class FailingTier : IDistributedCache
    {
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        private Exception Fail()
        {
            Interlocked.Increment(ref _failures);
            return new IOException("the tier is unreachable");
        }

        public byte[]? Get(string key) => throw Fail();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => throw Fail();

        public void Refresh(string key) => throw Fail();

        public Task RefreshAsync(string key, CancellationToken token = default) => throw Fail();

        public void Remove(string key) => throw Fail();

        public Task RemoveAsync(string key, CancellationToken token = default) => throw Fail();

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw Fail();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => throw Fail();
    }
}
