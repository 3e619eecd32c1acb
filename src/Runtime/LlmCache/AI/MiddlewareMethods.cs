using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmCache;

/// <summary>The method descriptors of the middleware (chat client, embedding generator): one per configuration, shared.</summary>
internal static class MiddlewareMethods
{
    private static readonly ConcurrentDictionary<string, LlmCachedMethod> s_methods = new(StringComparer.Ordinal);

    /// <summary>
    /// The descriptor of <paramref name="shape"/> calls over one model, shared by every middleware
    /// instance that has this configuration: the runtime's in-process level keeps entries per
    /// descriptor, so two instances over the same model (a pipeline built per request, a scoped
    /// registration) must hand it the same one to share answers.
    /// </summary>
    /// <param name="shape">The call's kind, e.g. <c>LlmCache.ChatClient.GetResponseAsync</c>.</param>
    /// <param name="identity">What tells models apart (provider, endpoint, model …), fingerprinted into the id.</param>
    /// <param name="ttl">The entries' TTL, or null for the runtime's default.</param>
    /// <param name="namespace">The middleware's namespace, or null.</param>
    /// <param name="tags">The entries' tags.</param>
    /// <param name="keyedParameters">Names of the parts of the key, in the order the key writer marks them.</param>
    /// <param name="failSafe">The entries' fail-safe window, or null for the runtime's default.</param>
    public static LlmCachedMethod For(string shape, ReadOnlySpan<string?> identity, TimeSpan? ttl, string? @namespace, string[] tags,
        string[] keyedParameters, TimeSpan? failSafe = null)
    {
        string id = shape + "." + Fingerprint(identity, @namespace);
        string configuration = id + "|" + (ttl?.Ticks.ToString(CultureInfo.InvariantCulture) ?? "-") + "|" + string.Join('\u001f', tags)
            + "|" + (failSafe?.Ticks.ToString(CultureInfo.InvariantCulture) ?? "-");
        return s_methods.GetOrAdd(configuration,
            static (_, a) => new LlmCachedMethod(a.id, a.ttl, a.@namespace, a.tags, a.keyedParameters, failSafe: a.failSafe),
            (id, ttl, @namespace, tags, keyedParameters, failSafe));
    }

    private static string Fingerprint(ReadOnlySpan<string?> identity, string? @namespace)
    {
        // Lengths delimit the parts, so ("ab", "c") and ("a", "bc") differ; null differs from empty.
        var text = new StringBuilder();
        foreach (string? part in identity)
        {
            Append(text, part);
        }
        Append(text, @namespace);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
    }

    private static void Append(StringBuilder text, string? part) =>
        text.Append(part is null ? "-1" : part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append('|');
}
