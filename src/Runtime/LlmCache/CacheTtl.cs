using System.Globalization;

namespace LlmCache;

/// <summary>Parses the TTL strings of <see cref="LlmCachedAttribute.Ttl"/>.</summary>
public static class CacheTtl
{
    /// <summary>
    /// Parses <c>30s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c> (a positive integer and a unit) or TimeSpan's
    /// invariant <c>[d.]hh:mm:ss[.fffffff]</c>. Zero and negative values are rejected.
    /// </summary>
    /// <param name="text">The TTL text.</param>
    /// <param name="ttl">The parsed lifetime.</param>
    /// <returns>Whether the text is a valid, positive TTL.</returns>
    public static bool TryParse(string? text, out TimeSpan ttl)
    {
        ttl = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        string s = text.Trim();
        char unit = s[^1];
        if (unit is 's' or 'm' or 'h' or 'd' && s.Length > 1
            && long.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
        {
            long seconds = unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, _ => 86400L };
            if (amount <= 0 || amount > TimeSpan.MaxValue.TotalSeconds / seconds)
            {
                return false;
            }
            ttl = TimeSpan.FromSeconds(amount * seconds);
            return true;
        }
        if (s.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out TimeSpan parsed) && parsed > TimeSpan.Zero)
        {
            ttl = parsed;
            return true;
        }
        return false;
    }

    /// <summary>Parses a TTL or throws <see cref="FormatException"/> naming the accepted forms.</summary>
    /// <param name="text">The TTL text.</param>
    public static TimeSpan Parse(string text) => TryParse(text, out TimeSpan ttl)
        ? ttl
        : throw new FormatException($"'{text}' is not a TTL: use 30s, 15m, 2h, 7d or [d.]hh:mm:ss, greater than zero.");
}
