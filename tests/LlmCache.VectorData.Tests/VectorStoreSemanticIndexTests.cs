using LlmCache.Testing;

namespace LlmCache.VectorData.Tests;

public sealed class VectorStoreSemanticIndexTests
{
    private static (SemanticAnswers Answers, ListCollection<TKey> Store) Create<TKey>()
        where TKey : notnull
    {
        var store = new ListCollection<TKey>("llmcache-semantic");
        var runtime = new LlmCacheRuntime(new LlmCacheOptions
        {
            Semantic = { EmbeddingGenerator = new WordsEmbeddingGenerator(), Index = new VectorStoreSemanticIndex<TKey>(store) },
        });
        return (new SemanticAnswers(runtime), store);
    }

    [Fact]
    public async Task AParaphrase_IsFoundInTheStore_WithGuidKeys()
    {
        (SemanticAnswers answers, ListCollection<Guid> store) = Create<Guid>();
        await answers.AskAsync("How do I reset my password");
        await answers.Cache.FlushAsync(); // the index is written in the background
        SemanticVectorRecord<Guid> record = Assert.Single(store.Records);
        Assert.NotEqual(Guid.Empty, record.Id);
        Assert.Equal(512, record.Vector.Length);
        Assert.StartsWith("llmcache:", record.EntryKey, StringComparison.Ordinal);

        Assert.Equal("answer to How do I reset my password", await answers.AskAsync("How can I reset my password"));
        Assert.Equal(1, answers.Calls);
        Assert.True(store.Searches >= 2);
    }

    [Fact]
    public async Task StringKeys_Work_AndAStoredAgainEntryReplacesItself()
    {
        (SemanticAnswers answers, ListCollection<string> store) = Create<string>();
        await answers.AskAsync("How do I reset my password");
        using (LlmCacheScope.With(CacheControl.FreshRead))
        {
            await answers.AskAsync("How do I reset my password");
        }
        await answers.Cache.FlushAsync();
        Assert.Equal(32, Assert.Single(store.Records).Id.Length);
        Assert.Equal(2, answers.Calls);
    }

    [Fact]
    public async Task ARemovedEntry_IsDroppedFromTheStore_OnItsNextMatch()
    {
        (SemanticAnswers answers, ListCollection<Guid> store) = Create<Guid>();
        await answers.AskAsync("How do I reset my password");
        await answers.Cache.FlushAsync();
        await answers.Cache.RemoveAsync(Generated.LlmCacheKeys.SemanticAnswers_AskAsync("How do I reset my password").Key(answers.Cache));
        await answers.AskAsync("How can I reset my password");
        Assert.Equal(2, answers.Calls);
        await answers.Cache.FlushAsync();
        SemanticVectorRecord<Guid> left = Assert.Single(store.Records); // the new one; the removed one was deleted
        Assert.EndsWith(Generated.LlmCacheKeys.SemanticAnswers_AskAsync("How can I reset my password").Key(answers.Cache)[^64..], left.EntryKey,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherPartitions_AreFilteredOut_EvenByALooseStore()
    {
        var store = new ListCollection<Guid>("c");
        var index = new VectorStoreSemanticIndex<Guid>(store);
        float[] vector = [0.6f, 0.8f];
        await index.AddAsync("a", new SemanticIndexEntry("k1", vector, "", 1, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        await index.AddAsync("b", new SemanticIndexEntry("k2", vector, "", 1, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        await index.AddAsync("a", new SemanticIndexEntry("old", vector, "", 1, DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);
        SemanticCandidate found = Assert.Single(await index.SearchAsync("a", vector, 8, CancellationToken.None));
        Assert.Equal("k1", found.Entry.EntryKey);
        Assert.Equal(1f, found.Similarity, 0.0001f);
        Assert.Empty(await index.SearchAsync("c", vector, 8, CancellationToken.None));
    }
}
