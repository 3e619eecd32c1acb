namespace LlmCache.Cli.Tiers;

/// <summary>When a stored entry was created, read from the value a tier holds (best effort).</summary>
internal static class StoredEntryTimes
{
    public static DateTimeOffset? Created(byte[] stored) => null;
}
