namespace LlmCache.Cli.Tiers;

/// <summary>
/// Reads the runtime's keys (<c>llmcache:{namespace}:{method-id}[~{method namespace}]:[t-{tenant}:]{sha256}</c>,
/// as <c>CallKey.ToKeyString</c> writes them) and the records it keeps beside them
/// (<c>llmcache:{namespace}:~tag:…</c>, <c>~tenant:…</c>).
/// </summary>
internal static class CacheKeys
{
    public const string Root = "llmcache:";

    /// <summary>The method id of an entry's key; null for a removal record or a key the runtime did not write.</summary>
    public static string? MethodId(string key)
    {
        if (!key.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }
        int nsEnd = key.IndexOf(':', Root.Length);
        if (nsEnd < 0)
        {
            return null;
        }
        int methodEnd = key.IndexOf(':', nsEnd + 1);
        if (methodEnd < 0 || key[nsEnd + 1] == '~')
        {
            return null;
        }
        string method = key[(nsEnd + 1)..methodEnd];
        int own = method.IndexOf('~', StringComparison.Ordinal);
        return own >= 0 ? method[..own] : method;
    }

    /// <summary>Whether <paramref name="key"/> is an entry of <paramref name="method"/>: a method id, or a name without the fingerprint (every signature).</summary>
    public static bool BelongsTo(string key, string namespacePrefix, string method)
    {
        if (!key.StartsWith(namespacePrefix, StringComparison.Ordinal) || key.Length <= namespacePrefix.Length + method.Length
            || string.CompareOrdinal(key, namespacePrefix.Length, method, 0, method.Length) != 0)
        {
            return false;
        }
        char next = key[namespacePrefix.Length + method.Length];
        // Id then ':' or '~' (a method namespace); a name then '.' and the fingerprint, then ':' or '~'.
        if (next is ':' or '~')
        {
            return true;
        }
        if (next != '.')
        {
            return false;
        }
        int end = key.IndexOfAny([':', '~'], namespacePrefix.Length + method.Length + 1);
        return end > 0 && key.AsSpan(namespacePrefix.Length + method.Length + 1, end - namespacePrefix.Length - method.Length - 1).IndexOf('.') < 0;
    }

    /// <summary>Whether <paramref name="key"/> is an entry partitioned under the tenant segment <paramref name="segment"/>.</summary>
    public static bool HasTenant(string key, string segment) => key.Contains(":" + segment + ":", StringComparison.Ordinal);
}
