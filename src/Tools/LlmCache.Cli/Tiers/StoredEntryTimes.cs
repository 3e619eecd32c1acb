using System.Buffers.Binary;

namespace LlmCache.Cli.Tiers;

/// <summary>
/// When a stored entry was created, read from the value a tier holds. Tiers hold HybridCache's
/// payloads, which open with a fixed header — a two-byte format marker (<c>03 01</c>), two bytes of
/// entropy, then the creation time in UTC ticks (little-endian) — and close with the same marker. The
/// tiers copy those bytes as they are when they promote an entry (and <c>llmcache copy</c> does too), so
/// the time is the entry's first write wherever it is found. Best effort: a value of another shape has
/// no creation time (null), and <c>inspect</c> shows no age for it.
/// </summary>
internal static class StoredEntryTimes
{
    private const int HeaderBytes = 12;

    public static DateTimeOffset? Created(byte[] stored)
    {
        if (stored.Length < HeaderBytes + 2 || stored[0] != 0x03 || stored[1] != 0x01 || stored[^2] != 0x03 || stored[^1] != 0x01)
        {
            return null;
        }
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(4, 8));
        return ticks > DateTime.MinValue.Ticks && ticks < DateTime.MaxValue.Ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }
}
