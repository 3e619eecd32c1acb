using System.Buffers.Binary;

namespace LlmCache;

/// <summary>The SHA-256 of a call's canonical argument bytes, as four machine words.</summary>
internal readonly record struct Digest256(ulong A, ulong B, ulong C, ulong D)
{
    public static Digest256 From(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    public void WriteHex(Span<char> destination)
    {
        WriteHex(A, destination);
        WriteHex(B, destination[16..]);
        WriteHex(C, destination[32..]);
        WriteHex(D, destination[48..]);
    }

    public static void WriteHex(ulong value, Span<char> destination)
    {
        for (int i = 15; i >= 0; i--)
        {
            int nibble = (int)(value & 0xF);
            destination[i] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            value >>= 4;
        }
    }

    public static bool TryParseHex(ReadOnlySpan<char> hex, out Digest256 digest)
    {
        digest = default;
        if (hex.Length != 64
            || !ulong.TryParse(hex[..16], System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong a)
            || !ulong.TryParse(hex[16..32], System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong b)
            || !ulong.TryParse(hex[32..48], System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong c)
            || !ulong.TryParse(hex[48..], System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong d))
        {
            return false;
        }
        digest = new Digest256(a, b, c, d);
        return true;
    }
}

/// <summary>
/// One call's identity: the method under one runtime configuration, the digest of its arguments and,
/// for tenant-partitioned methods, the first 64 bits of the tenant's hash. The in-process level is
/// keyed by it directly, so a hit never builds the key string.
/// </summary>
internal readonly record struct CallKey(LlmCachedMethod.KeySettings Settings, Digest256 Digest, ulong Tenant, bool HasTenant)
{
    /// <summary>
    /// What a runtime with a snapshot tier records of the call (digests per parameter, readable
    /// arguments), travelling with the key to where the entry is stored or found missing; null
    /// otherwise. Not part of the key's identity: equality and hash ignore it.
    /// </summary>
    public RecordedRequest? Request { get; init; }

    /// <summary>The identity alone: the key without what was recorded of its request (for what outlives the call).</summary>
    public CallKey Identity => Request is null ? this : this with { Request = null };

    /// <inheritdoc />
    public bool Equals(CallKey other) =>
        ReferenceEquals(Settings, other.Settings) && Digest == other.Digest && Tenant == other.Tenant && HasTenant == other.HasTenant;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Settings, Digest, Tenant, HasTenant);

    /// <summary>The key the second level sees: <c>llmcache:{ns}:{method}:[t-{tenant}:]{sha256}</c>.</summary>
    public string ToKeyString()
    {
        string prefix = Settings.Prefix;
        int length = prefix.Length + (HasTenant ? 19 : 0) + 64;
        return string.Create(length, this, static (span, key) =>
        {
            key.Settings.Prefix.AsSpan().CopyTo(span);
            int at = key.Settings.Prefix.Length;
            if (key.HasTenant)
            {
                span[at++] = 't';
                span[at++] = '-';
                Digest256.WriteHex(key.Tenant, span[at..]);
                at += 16;
                span[at++] = ':';
            }
            key.Digest.WriteHex(span[at..]);
        });
    }
}

/// <summary>
/// The comparer of the dictionaries keyed by <see cref="CallKey"/>. With the default comparer, a
/// process's first hit compiles <c>EqualityComparer&lt;CallKey&gt;</c> code, which no precompiled image
/// of this library can carry (the generic type is the framework's); this class is the library's own,
/// so its code ships precompiled with it.
/// </summary>
internal sealed class CallKeyComparer : IEqualityComparer<CallKey>
{
    public static readonly CallKeyComparer Instance = new();

    private CallKeyComparer()
    {
    }

    public bool Equals(CallKey x, CallKey y) => x.Equals(y);

    public int GetHashCode(CallKey obj) => obj.GetHashCode();
}
