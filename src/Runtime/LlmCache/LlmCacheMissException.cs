namespace LlmCache;

/// <summary>
/// Thrown in <see cref="LlmCacheMode.Replay"/> instead of calling the model: nothing was recorded for
/// this call, or the call could not be served from the cache at all. Its message names the method
/// and, when a snapshot tier holds recordings of it, how the call differs from the closest one
/// (<c>messages[1].contents[0].text differs; model, options equal</c>), so a changed prompt fails
/// with a readable reason.
/// </summary>
public sealed class LlmCacheMissException : Exception
{
    /// <summary>Creates the exception with a message of its own (for tests and wrappers).</summary>
    /// <param name="message">What was missing.</param>
    public LlmCacheMissException(string message)
        : this(message, method: string.Empty, key: null, reason: null, closest: null, differences: [], equal: [])
    {
    }

    internal LlmCacheMissException(string message, string method, string? key, string? reason, string? closest,
        IReadOnlyList<string> differences, IReadOnlyList<string> equal)
        : base(message)
    {
        Method = method;
        Key = key;
        Reason = reason;
        ClosestRecording = closest;
        Differences = differences;
        EqualParameters = equal;
    }

    /// <summary>The method whose call was not recorded, without its signature fingerprint (e.g. <c>Demo.Chat.AskAsync</c>).</summary>
    public string Method { get; }

    /// <summary>The key of the call, or null when no key could be built.</summary>
    public string? Key { get; }

    /// <summary>Why the call could not be served from the cache at all (the cache switched off, a bypass …), or null for a plain miss.</summary>
    public string? Reason { get; }

    /// <summary>Where the closest recording of the method lies (a snapshot file), or null when there is none.</summary>
    public string? ClosestRecording { get; }

    /// <summary>
    /// How the call differs from <see cref="ClosestRecording"/>: parameter paths such as
    /// <c>options.temperature differs</c> or <c>messages[3] is new</c>. Empty when nothing could be compared.
    /// </summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>The keyed parameters that are equal in the call and in <see cref="ClosestRecording"/>.</summary>
    public IReadOnlyList<string> EqualParameters { get; }
}
