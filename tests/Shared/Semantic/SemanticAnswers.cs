namespace LlmCache.Testing;

/// <summary>A semantic method for tier tests: its answer names the question that was asked.</summary>
public sealed class SemanticAnswers(LlmCacheRuntime cache)
{
    public int Calls;

    public LlmCacheRuntime Cache => cache;

    [LlmCached(Ttl = "1h", Semantic = nameof(question), Similarity = 0.8)]
    public Task<string> AskAsync(string question)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult("answer to " + question);
    }
}
