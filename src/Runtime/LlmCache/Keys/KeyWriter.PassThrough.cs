namespace LlmCache;

public sealed partial class KeyWriter
{
    /// <summary>
    /// Set while writing a request that must reach the model whatever the cache holds (a poll for a
    /// background response, which carries a continuation token): the call then runs uncached, and
    /// that is neither an error nor a miss.
    /// </summary>
    internal bool PassThrough { get; set; }
}
