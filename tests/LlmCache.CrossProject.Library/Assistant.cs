using LlmCache;

namespace CrossProject.Library;

/// <summary>Counts how often each cached method's body really ran.</summary>
public static class Bodies
{
    private static int s_assistant;
    private static int s_facts;

    /// <summary>Runs of <see cref="Assistant.AskAsync"/>.</summary>
    public static int Assistant => Volatile.Read(ref s_assistant);

    /// <summary>Runs of <see cref="Facts.LookupAsync{T}"/>.</summary>
    public static int Facts => Volatile.Read(ref s_facts);

    internal static int RanAssistant() => Interlocked.Increment(ref s_assistant);

    internal static int RanFacts() => Interlocked.Increment(ref s_facts);
}

/// <summary>
/// An assistant whose runtime and persona are private: the key of its calls includes the persona,
/// and only this assembly's generated code can read either.
/// </summary>
/// <param name="runtime">The cache that serves its calls.</param>
/// <param name="persona">Who answers; part of every key.</param>
public sealed class Assistant(LlmCacheRuntime runtime, string persona)
{
    private readonly LlmCacheRuntime _runtime = runtime;

    [CacheKey]
    private readonly string _persona = persona;

    /// <summary>The runtime this assistant uses.</summary>
    public LlmCacheRuntime Runtime => _runtime;

    /// <summary>Answers a question (cached).</summary>
    [LlmCached(Ttl = "1h", Tags = ["assistant"])]
    public Task<string> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        int run = Bodies.RanAssistant();
        return Task.FromResult($"{_persona}: {question} #{run}");
    }

    /// <summary>The library's own call of <see cref="AskAsync"/>, intercepted by the library's generator.</summary>
    public Task<string> AskFromLibraryAsync(string question) => AskAsync(question);
}

/// <summary>A static generic cached method, served by <see cref="LlmCacheRuntime.Default"/>.</summary>
public static class Facts
{
    /// <summary>Looks a subject up (cached per subject and type).</summary>
    [LlmCached(Ttl = "1h")]
    public static Task<string> LookupAsync<T>(T subject) where T : notnull
    {
        int run = Bodies.RanFacts();
        return Task.FromResult($"{typeof(T).Name}:{subject} #{run}");
    }
}
