using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace LlmCache.Redis;

/// <summary>
/// How a cached value is laid out in its Redis string: one format byte, then the value as it is
/// (<see cref="Plain"/>) or Brotli-compressed after its original length as four little-endian bytes
/// (<see cref="Brotli"/>). LLM answers are text and JSON, which Brotli at a low quality shrinks by
/// about half (1.8× on the long answer of the tier benchmark) for a few microseconds; short values are
/// stored plain, where compression gains nothing.
/// </summary>
internal static class RedisValueFormat
{
    /// <summary>The value follows as it is.</summary>
    public const byte Plain = 0;

    /// <summary>The original length (int32, little-endian) follows, then the Brotli stream.</summary>
    public const byte Brotli = 1;

    private const int BrotliHeader = 1 + sizeof(int);
    private const int Window = 22;

    /// <summary>
    /// The bytes to store for <paramref name="value"/>: compressed when it is at least
    /// <paramref name="threshold"/> bytes long and compression saves space, plain otherwise.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> value, int threshold, int quality)
    {
        if (threshold >= 0 && value.Length >= threshold)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(value.Length));
            try
            {
                if (BrotliEncoder.TryCompress(value, rented, out int written, quality, Window)
                    && written + BrotliHeader < value.Length + 1)
                {
                    byte[] encoded = new byte[BrotliHeader + written];
                    encoded[0] = Brotli;
                    BinaryPrimitives.WriteInt32LittleEndian(encoded.AsSpan(1), value.Length);
                    rented.AsSpan(0, written).CopyTo(encoded.AsSpan(BrotliHeader));
                    return encoded;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        byte[] plain = new byte[1 + value.Length];
        plain[0] = Plain;
        value.CopyTo(plain.AsSpan(1));
        return plain;
    }

    /// <summary>The most stored bytes a value of <paramref name="maximumBytes"/> bytes can take (its header included).</summary>
    public static long StoredLimit(long maximumBytes) => maximumBytes + BrotliHeader;

    /// <summary>
    /// The value stored as <paramref name="stored"/>, or <see langword="null"/> when the bytes are not in
    /// this format (written by something else, or damaged) or the value is longer than
    /// <paramref name="maximumBytes"/> (<paramref name="tooLarge"/> then): a miss, never an exception,
    /// and a length claimed by the header is checked before anything of that size is allocated.
    /// </summary>
    public static byte[]? Decode(ReadOnlySpan<byte> stored, long maximumBytes, out bool tooLarge)
    {
        tooLarge = false;
        if (stored.IsEmpty)
        {
            return null;
        }
        switch (stored[0])
        {
            case Plain:
                if (stored.Length - 1 > maximumBytes)
                {
                    tooLarge = true;
                    return null;
                }
                return stored[1..].ToArray();
            case Brotli when stored.Length >= BrotliHeader:
                int length = BinaryPrimitives.ReadInt32LittleEndian(stored[1..]);
                if (length < 0)
                {
                    return null;
                }
                if (length > maximumBytes)
                {
                    tooLarge = true;
                    return null;
                }
                byte[] value = new byte[length];
                return BrotliDecoder.TryDecompress(stored[BrotliHeader..], value, out int written) && written == length ? value : null;
            default:
                return null;
        }
    }
}
