namespace LlmCache.AspNetCore;

/// <summary>
/// Who may call the endpoints <c>MapLlmCache</c> maps. They remove entries and change the namespace,
/// so they require authorization unless the application opts out explicitly.
/// </summary>
public sealed class LlmCacheEndpointOptions
{
    /// <summary>
    /// The authorization policy the endpoints require; null (the default) requires the application's
    /// default policy (an authenticated user, unless the application changed it).
    /// </summary>
    public string? Policy { get; set; }

    /// <summary>
    /// Maps the endpoints without authorization. Default: false. Only for a port that only operators
    /// reach, or for local development; <see cref="Policy"/> is ignored when set.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}
