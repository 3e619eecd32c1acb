using Xunit;
using LlmCache.Testing;
using Microsoft.Data.Sqlite;

namespace LlmCache.Disk.Tests;

/// <summary>The embedded semantic index, persisted with the disk tier.</summary>
public sealed class DiskSemanticTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-semantic-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private LlmCacheRuntime Runtime(SqliteCacheTier tier, WordsEmbeddingGenerator embeddings) => new(new LlmCacheOptions
    {
        Tiers = { tier },
        TierResilience = new TierResilienceOptions { Timeout = TimeSpan.FromSeconds(30) },
        Semantic = { EmbeddingGenerator = embeddings },
    });

    [Fact]
    public async Task SemanticHits_SurviveARestart()
    {
        using (var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir }))
        await using (LlmCacheRuntime runtime = Runtime(tier, new WordsEmbeddingGenerator()))
        {
            await new SemanticAnswers(runtime).AskAsync("How do I reset my password");
        }

        var embeddings = new WordsEmbeddingGenerator();
        using (var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir }))
        await using (LlmCacheRuntime runtime = Runtime(tier, embeddings))
        {
            var answers = new SemanticAnswers(runtime);
            Assert.Equal("answer to How do I reset my password", await answers.AskAsync("How can I reset my password"));
            Assert.Equal(0, answers.Calls);
            // The stored question's embedding came from the disk too: only the new wording was embedded.
            Assert.Equal(1, embeddings.Inputs);
        }
    }

    [Fact]
    public async Task TheLog_IsOneRowPerEntry_AndTheSweepDropsExpiredRows()
    {
        using var tier = new SqliteCacheTier(new DiskTierOptions { Directory = _dir });
        await tier.AppendAsync("p", new byte[] { 1, 2, 3 }, TimeSpan.FromHours(1), CancellationToken.None);
        await tier.AppendAsync("p", new byte[] { 4 }, TimeSpan.FromMilliseconds(1), CancellationToken.None);
        await tier.AppendAsync("other", new byte[] { 5 }, TimeSpan.FromHours(1), CancellationToken.None);
        await Task.Delay(20);
        SemanticLogPage all = await tier.ReadAsync("p", 0, CancellationToken.None);
        Assert.Equal([1, 2, 3], Assert.Single(all.Records));
        SemanticLogPage none = await tier.ReadAsync("p", all.Next, CancellationToken.None);
        Assert.Empty(none.Records);
        await tier.AppendAsync("p", new byte[] { 6 }, TimeSpan.FromHours(1), CancellationToken.None);
        SemanticLogPage next = await tier.ReadAsync("p", all.Next, CancellationToken.None);
        Assert.Equal([6], Assert.Single(next.Records));

        tier.Sweep();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, "llmcache.db")}");
        connection.Open();
        using SqliteCommand count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM semantic_log";
        Assert.Equal(3L, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public async Task AReadOnlyTier_ReadsTheLog_ButNeverAppends()
    {
        using (var writer = new SqliteCacheTier(new DiskTierOptions { Directory = _dir }))
        await using (LlmCacheRuntime runtime = Runtime(writer, new WordsEmbeddingGenerator()))
        {
            await new SemanticAnswers(runtime).AskAsync("How do I reset my password");
        }
        using var reader = new SqliteCacheTier(new DiskTierOptions { Directory = _dir, ReadOnly = true });
        await reader.AppendAsync("p", new byte[] { 1 }, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Empty((await reader.ReadAsync("p", 0, CancellationToken.None)).Records);
        await using LlmCacheRuntime readOnly = Runtime(reader, new WordsEmbeddingGenerator());
        var answers = new SemanticAnswers(readOnly);
        Assert.Equal("answer to How do I reset my password", await answers.AskAsync("How can I reset my password"));
        Assert.Equal(0, answers.Calls);
    }
}
