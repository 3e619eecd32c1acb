namespace LlmCache;

/// <summary>A value read from a tier and when the tier will let it expire.</summary>
/// <param name="Value">The stored bytes.</param>
/// <param name="Expires">When the entry expires in that tier; <see langword="null"/> when it never does or the tier cannot tell.</param>
public readonly record struct TierValue(byte[] Value, DateTimeOffset? Expires);
