using System;
using System.Globalization;

namespace LlmCache.Generators;

/// <summary>Parses TTL text at compile time exactly as the runtime's <c>CacheTtl.TryParse</c> does.</summary>
internal static class TtlText
{
    public static bool TryParse(string? text, out TimeSpan ttl)
    {
        ttl = default;
        if (text is null || text.Trim().Length == 0)
        {
            return false;
        }
        string s = text.Trim();
        char unit = s[s.Length - 1];
        if ((unit == 's' || unit == 'm' || unit == 'h' || unit == 'd') && s.Length > 1
            && long.TryParse(s.Substring(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            long seconds = unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, _ => 86400L };
            if (amount <= 0 || amount > TimeSpan.MaxValue.TotalSeconds / seconds)
            {
                return false;
            }
            ttl = TimeSpan.FromSeconds(amount * seconds);
            return true;
        }
        if (s.IndexOf(':') >= 0
            && TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out TimeSpan parsed) && parsed > TimeSpan.Zero)
        {
            ttl = parsed;
            return true;
        }
        return false;
    }

    public static bool IsValidNamespace(string? value)
    {
        if (value is null || value.Length == 0 || value.Length > 64)
        {
            return false;
        }
        foreach (char c in value)
        {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
