namespace LlmCache.Semantic.Tests;

/// <summary>A semantic method whose answer names its question, so a caller can tell which stored call answered.</summary>
public sealed class EvaluationBot(LlmCacheRuntime runtime)
{
    private readonly LlmCacheRuntime _runtime = runtime;
    private int _calls;

    /// <summary>How many times the method body ran (misses).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The runtime the bot's calls go through.</summary>
    public LlmCacheRuntime Runtime => _runtime;

    /// <summary>The answer to <paramref name="question"/>; <paramref name="partition"/> is an exact input, so each pair has its own partition.</summary>
    [LlmCached(Ttl = "1h", Semantic = nameof(question))]
    public Task<string> AskAsync(string partition, string question)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(Answer(question));
    }

    /// <summary>The answer the method gives to <paramref name="question"/>.</summary>
    public static string Answer(string question) => "answer to: " + question;
}
