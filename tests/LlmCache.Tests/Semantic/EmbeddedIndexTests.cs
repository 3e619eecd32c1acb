namespace LlmCache.Tests.Semantic;

public sealed class EmbeddedIndexTests
{
    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddDays(1);

    private static float[] Random(Random random, int dimensions = 384)
    {
        float[] vector = new float[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            vector[d] = (float)(random.NextDouble() * 2 - 1);
        }
        return Normalised(vector);
    }

    private static float[] Normalised(float[] vector)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    private static float[] Near(Random random, float[] vector, double noise)
    {
        float[] near = (float[])vector.Clone();
        for (int d = 0; d < near.Length; d++)
        {
            near[d] += (float)((random.NextDouble() * 2 - 1) * noise);
        }
        return Normalised(near);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(1_000)]
    [InlineData(5_000)]
    [InlineData(20_000)]
    public async Task TheClosestEntry_IsFound_WithItsExactSimilarity_WhateverThePartitionSize(int entries)
    {
        var random = new Random(entries);
        var index = new EmbeddedSemanticIndex();
        var stored = new List<float[]>();
        for (int i = 0; i < entries; i++)
        {
            float[] vector = Random(random);
            stored.Add(vector);
            await index.AddAsync("p", new SemanticIndexEntry("k" + i, vector, "", (ulong)i, Later), CancellationToken.None);
        }
        // Property: a query near any stored vector finds that vector first, scored exactly.
        for (int trial = 0; trial < 40; trial++)
        {
            int target = random.Next(entries);
            float[] query = Near(random, stored[target], 0.02);
            IReadOnlyList<SemanticCandidate> found = await index.SearchAsync("p", query, 4, CancellationToken.None);
            Assert.Equal("k" + target, found[0].Entry.EntryKey);
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.Dot(query, stored[target]), found[0].Similarity, 0.002f);
            Assert.True(found[0].Entry.Vector.IsEmpty, "the index keeps its own compact copy, not the caller's vector");
        }
        Assert.Empty(await index.SearchAsync("other", stored[0], 4, CancellationToken.None));
    }

    [Fact]
    public async Task RemovedAndExpiredEntries_AreNeverReturned_AndTheOldestGoFirstWhenFull()
    {
        var random = new Random(3);
        var index = new EmbeddedSemanticIndex(maxEntriesPerPartition: 8);
        float[] a = Random(random);
        await index.AddAsync("p", new SemanticIndexEntry("a", a, "", 1, Later), CancellationToken.None);
        await index.AddAsync("p", new SemanticIndexEntry("gone", a, "", 2, DateTimeOffset.UtcNow.AddSeconds(-1)), CancellationToken.None);
        Assert.Equal(["a"], (await index.SearchAsync("p", a, 8, CancellationToken.None)).Select(c => c.Entry.EntryKey));
        await index.RemoveAsync("p", "a", CancellationToken.None);
        Assert.Empty(await index.SearchAsync("p", a, 8, CancellationToken.None));

        for (int i = 0; i < 20; i++)
        {
            await index.AddAsync("p", new SemanticIndexEntry("n" + i, Random(random), "", 3, Later), CancellationToken.None);
        }
        Assert.InRange(index.Count, 1, 8);
        IReadOnlyList<SemanticCandidate> all = await index.SearchAsync("p", a, 64, CancellationToken.None);
        Assert.Contains(all, c => c.Entry.EntryKey == "n19");
        Assert.DoesNotContain(all, c => c.Entry.EntryKey == "n0");
    }

    [Fact]
    public async Task AVectorOfAnotherLength_IsNeverCompared()
    {
        var index = new EmbeddedSemanticIndex();
        await index.AddAsync("p", new SemanticIndexEntry("a", Normalised([1f, 0f, 0f]), "", 1, Later), CancellationToken.None);
        await index.AddAsync("p", new SemanticIndexEntry("b", Normalised([1f, 0f]), "", 1, Later), CancellationToken.None);
        Assert.Empty(await index.SearchAsync("p", Normalised([1f, 0f]), 4, CancellationToken.None));
        Assert.Equal("a", Assert.Single(await index.SearchAsync("p", Normalised([1f, 0f, 0f]), 4, CancellationToken.None)).Entry.EntryKey);
    }

    [Fact]
    public void LogRecords_RoundTrip_AndForgedOnesAreRefused()
    {
        byte[] key = [1, 2, 3, 4];
        var signed = new EmbeddedSemanticIndex(null, signingKey: key);
        var entry = new SemanticIndexEntry("llmcache:v1:m:abc", Normalised([0.5f, -0.5f, 1f]), "n:2|x:0|q:|e:|c:|w:two", 77, Later);
        byte[] record = signed.Encode("p", entry);

        SemanticIndexEntry back = signed.Decode("p", record)!;
        Assert.Equal(entry.EntryKey, back.EntryKey);
        Assert.Equal(entry.Features, back.Features);
        Assert.Equal(entry.AnswerHash, back.AnswerHash);
        Assert.Equal(entry.Expires.UtcTicks, back.Expires.UtcTicks);
        Assert.Equal(entry.Vector.ToArray(), back.Vector.ToArray());

        Assert.Null(signed.Decode("another partition", record)); // copied between partitions
        Assert.Null(new EmbeddedSemanticIndex(null, signingKey: [9]).Decode("p", record)); // another key
        Assert.Null(signed.Decode("p", new EmbeddedSemanticIndex().Encode("p", entry))); // unsigned
        for (int i = 0; i < record.Length; i++)
        {
            byte[] flipped = (byte[])record.Clone();
            flipped[i] ^= 0x40;
            Assert.Null(signed.Decode("p", flipped)); // any changed byte
        }
        var random = new Random(5);
        var plain = new EmbeddedSemanticIndex();
        for (int i = 0; i < 2_000; i++)
        {
            byte[] noise = new byte[random.Next(0, 200)];
            random.NextBytes(noise);
            if (noise.Length > 0)
            {
                noise[0] = 1;
            }
            _ = plain.Decode("p", noise); // never throws, whatever the bytes
        }
        byte[] truncated = plain.Encode("p", entry)[..^3];
        Assert.Null(plain.Decode("p", truncated));
    }

    [Fact]
    public async Task PartitionsAreBounded_TheLeastRecentlyUsedGoFirst()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var index = new EmbeddedSemanticIndex(null, timeProvider: clock) { MaxPartitions = 100 };
        float[] vector = Normalised([1f, 2f, 3f]);
        for (int i = 0; i < 100; i++)
        {
            await index.AddAsync("p" + i, new SemanticIndexEntry("k", vector, "", 1, clock.GetUtcNow().AddHours(1)), CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Single(await index.SearchAsync("p0", vector, 1, CancellationToken.None)); // p0 used again: now the most recent
        await index.AddAsync("new", new SemanticIndexEntry("k", vector, "", 1, clock.GetUtcNow().AddHours(1)), CancellationToken.None);
        Assert.InRange(index.PartitionCount, 80, 100);
        Assert.Single(await index.SearchAsync("p0", vector, 1, CancellationToken.None));
        Assert.Single(await index.SearchAsync("new", vector, 1, CancellationToken.None));
        Assert.Empty(await index.SearchAsync("p1", vector, 1, CancellationToken.None)); // the least recently used was dropped
    }
}
