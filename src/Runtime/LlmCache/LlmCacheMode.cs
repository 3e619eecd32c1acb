namespace LlmCache;

/// <summary>
/// How a runtime uses its entries: normally (<see cref="ReadWrite"/>), or for tests that must never
/// reach the model (<see cref="Replay"/>) and the run that records what they will replay
/// (<see cref="Record"/>). Set in <see cref="LlmCacheOptions.Mode"/> or with the environment variable
/// <c>LLMCACHE_MODE=readwrite|replay|record</c>.
/// </summary>
public enum LlmCacheMode
{
    /// <summary>The default: a hit is served, a miss runs the method and stores its answer.</summary>
    ReadWrite = 0,

    /// <summary>
    /// The method is never called: a hit is served as usual (memory or any tier, per-call controls
    /// that would skip or age-limit the read ignored), and everything else throws
    /// <see cref="LlmCacheMissException"/> — a miss, and a call that would run uncached (the cache or
    /// the method switched off, <see cref="CacheControl.Bypass"/>, arguments that cannot be keyed).
    /// </summary>
    Replay = 1,

    /// <summary>
    /// Every call runs the method and stores its answer, replacing what was there (every call behaves
    /// as if it carried <see cref="CacheControl.NoCache"/>; <see cref="CacheControl.NoStore"/> is still honoured).
    /// </summary>
    Record = 2,
}
