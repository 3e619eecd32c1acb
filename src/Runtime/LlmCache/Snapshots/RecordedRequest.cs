using System.Text.Json.Nodes;

namespace LlmCache;

/// <summary>
/// What a runtime with a snapshot tier records of a request besides its key: a digest per keyed
/// parameter and per named part inside it (<c>messages[2].contents[0].text</c>), sorted by path, and,
/// when a tier asks for them, the keyed arguments as readable JSON. Built by
/// <see cref="KeyPathRecorder"/> as the key is written.
/// </summary>
internal sealed class RecordedRequest(IReadOnlyList<KeyValuePair<string, string>> digests, JsonObject? arguments)
{
    /// <summary>Path → the first 64 bits of the SHA-256 of the part's canonical bytes, in hex; sorted by path (ordinal).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Digests { get; } = digests;

    /// <summary>The keyed arguments as readable JSON, or null when no tier asked for them.</summary>
    public JsonObject? Arguments { get; } = arguments;

    /// <summary>The path a part lies in (<c>messages[2]</c> for <c>messages[2].role</c>), or null for a parameter.</summary>
    public static string? ParentOf(string path)
    {
        int at = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return at <= 0 ? null : path[..at];
    }
}
