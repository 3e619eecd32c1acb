using System.Buffers;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LlmCache;

/// <summary>
/// Writes the canonical encoding of a call's arguments straight into an incremental SHA-256.
/// Every value carries a type tag and, where its length varies, a length prefix, so distinct argument
/// lists never share an encoding: <c>("ab","c")</c> and <c>("a","bc")</c>, <c>null</c> and <c>""</c>,
/// <c>1</c> and <c>1L</c> all differ. Text is hashed as UTF-8, transcoded straight into the buffer.
/// </summary>
/// <remarks>
/// Instances are pooled per thread; generated code rents one for the duration of one key and never
/// keeps it. User code meets a writer only inside <see cref="ICacheKeyWritable.WriteCacheKey"/>.
/// </remarks>
public sealed partial class KeyWriter : IDisposable
{
    /// <summary>How deep objects and collections may nest before the key is refused (cycles end here).</summary>
    public const int MaxDepth = 64;

    // Requests up to this size are hashed in one call (an incremental hash costs far more per call
    // than per byte); larger ones stream through the incremental hash.
    private const int BufferSize = 16 * 1024;
    private const int HashSize = 32;

    [ThreadStatic] private static KeyWriter? t_cached;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _incremental;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _position;
    private int _depth;
    private long _bytesWritten;
    private string _prefix = string.Empty;
    private long[]? _marks;
    private KeyPathRecorder? _paths;

    private KeyWriter() { }

    /// <summary>Takes a writer from the per-thread pool (generated code only).</summary>
    /// <param name="prefix">The text that precedes the hash in the finished key.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static KeyWriter Rent(string prefix)
    {
        KeyWriter writer = t_cached ?? new KeyWriter();
        t_cached = null;
        writer._prefix = prefix;
        return writer;
    }

    /// <summary>
    /// Notes where parameter <paramref name="index"/> starts (generated code calls it before each
    /// keyed parameter). It records only while a key is being explained; otherwise it costs a branch.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Mark(int index)
    {
        if (_marks is { } marks && (uint)index < (uint)marks.Length)
        {
            marks[index] = BytesWritten;
        }
        _paths?.Parameter(index, BytesWritten);
    }

    internal void RecordMarks(long[] marks) => _marks = marks;

    /// <summary>Has <paramref name="recorder"/> follow this key: its bytes and where its named parts lie.</summary>
    internal void RecordPaths(KeyPathRecorder recorder) => _paths = recorder;

    /// <summary>Number of canonical bytes written so far (for key explanations and tests).</summary>
    public long BytesWritten => _bytesWritten + _position;

    /// <summary>Finishes the hash and returns the key: the prefix followed by 64 lowercase hex digits.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string Complete()
    {
        Span<byte> digest = stackalloc byte[HashSize];
        CompleteHash(digest);
        return string.Create(_prefix.Length + HashSize * 2, (_prefix, Digest: new DigestBytes(digest)), static (span, state) =>
        {
            state._prefix.AsSpan().CopyTo(span);
            Span<char> hex = span[state._prefix.Length..];
            ReadOnlySpan<byte> bytes = state.Digest.AsSpan();
            for (int i = 0; i < bytes.Length; i++)
            {
                hex[i * 2] = HexDigit(bytes[i] >> 4);
                hex[i * 2 + 1] = HexDigit(bytes[i] & 0xF);
            }
        });
    }

    /// <summary>Finishes the hash into <paramref name="destination"/> (32 bytes) without building a string.</summary>
    public void CompleteHash(Span<byte> destination)
    {
        if (!_incremental)
        {
            _paths?.Append(_buffer.AsSpan(0, _position));
            SHA256.HashData(_buffer.AsSpan(0, _position), destination);
            _bytesWritten += _position;
            _position = 0;
            return;
        }
        Flush();
        _hash.TryGetHashAndReset(destination, out _);
        _incremental = false;
    }

    /// <summary>Returns the writer to the per-thread pool, discarding anything not completed.</summary>
    public void Dispose()
    {
        if (_incremental)
        {
            // An abandoned key (an exception mid-write): drop the partial hash.
            Span<byte> discard = stackalloc byte[HashSize];
            _hash.TryGetHashAndReset(discard, out _);
            _incremental = false;
        }
        _position = 0;
        _bytesWritten = 0;
        _depth = 0;
        PassThrough = false;
        _prefix = string.Empty;
        _marks = null;
        _paths = null;
        t_cached = this;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    // ---- primitives -------------------------------------------------------------------------

    /// <summary>Writes the null marker.</summary>
    public void WriteNull() => WriteTag(KeyTag.Null);

    /// <summary>Writes a boolean.</summary>
    public void WriteBoolean(bool value) => WriteTag(value ? KeyTag.True : KeyTag.False);

    /// <summary>Writes a byte.</summary>
    public void WriteByte(byte value)
    {
        Span<byte> span = Reserve(2);
        span[0] = KeyTag.Byte;
        span[1] = value;
        Advance(2);
    }

    /// <summary>Writes a signed byte.</summary>
    public void WriteSByte(sbyte value)
    {
        Span<byte> span = Reserve(2);
        span[0] = KeyTag.SByte;
        span[1] = unchecked((byte)value);
        Advance(2);
    }

    /// <summary>Writes a 16-bit integer.</summary>
    public void WriteInt16(short value)
    {
        Span<byte> span = Reserve(3);
        span[0] = KeyTag.Int16;
        BinaryPrimitives.WriteInt16LittleEndian(span[1..], value);
        Advance(3);
    }

    /// <summary>Writes an unsigned 16-bit integer.</summary>
    public void WriteUInt16(ushort value)
    {
        Span<byte> span = Reserve(3);
        span[0] = KeyTag.UInt16;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], value);
        Advance(3);
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void WriteInt32(int value) => WriteTagged32(KeyTag.Int32, unchecked((uint)value));

    /// <summary>Writes an unsigned 32-bit integer.</summary>
    public void WriteUInt32(uint value) => WriteTagged32(KeyTag.UInt32, value);

    /// <summary>Writes a 64-bit integer.</summary>
    public void WriteInt64(long value) => WriteTagged64(KeyTag.Int64, unchecked((ulong)value));

    /// <summary>Writes an unsigned 64-bit integer.</summary>
    public void WriteUInt64(ulong value) => WriteTagged64(KeyTag.UInt64, value);

    /// <summary>Writes a native-sized integer (as 64 bits, so the key does not depend on the platform).</summary>
    public void WriteIntPtr(nint value) => WriteTagged64(KeyTag.NInt, unchecked((ulong)(long)value));

    /// <summary>Writes a native-sized unsigned integer (as 64 bits).</summary>
    public void WriteUIntPtr(nuint value) => WriteTagged64(KeyTag.NUInt, value);

    /// <summary>Writes a single-precision number by its exact bits (so <c>0.0f</c> and <c>-0.0f</c> differ).</summary>
    public void WriteSingle(float value) => WriteTagged32(KeyTag.Single, BitConverter.SingleToUInt32Bits(value));

    /// <summary>Writes a double-precision number by its exact bits.</summary>
    public void WriteDouble(double value) => WriteTagged64(KeyTag.Double, BitConverter.DoubleToUInt64Bits(value));

    /// <summary>Writes a half-precision number by its exact bits.</summary>
    public void WriteHalf(Half value)
    {
        Span<byte> span = Reserve(3);
        span[0] = KeyTag.Half;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], BitConverter.HalfToUInt16Bits(value));
        Advance(3);
    }

    /// <summary>Writes a decimal by its exact bits (so <c>1.0m</c> and <c>1.00m</c> differ, as they print differently).</summary>
    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        Span<byte> span = Reserve(17);
        span[0] = KeyTag.Decimal;
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(1 + i * 4)..], bits[i]);
        }
        Advance(17);
    }

    /// <summary>Writes a 128-bit integer.</summary>
    public void WriteInt128(Int128 value) => WriteTagged128(KeyTag.Int128, (ulong)(value >> 64), (ulong)value);

    /// <summary>Writes an unsigned 128-bit integer.</summary>
    public void WriteUInt128(UInt128 value) => WriteTagged128(KeyTag.UInt128, (ulong)(value >> 64), (ulong)value);

    /// <summary>Writes a character.</summary>
    public void WriteChar(char value)
    {
        Span<byte> span = Reserve(3);
        span[0] = KeyTag.Char;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], value);
        Advance(3);
    }

    /// <summary>Writes a GUID in its RFC 4122 byte order.</summary>
    public void WriteGuid(Guid value)
    {
        Span<byte> span = Reserve(17);
        span[0] = KeyTag.Guid;
        value.TryWriteBytes(span.Slice(1, 16), bigEndian: true, out _);
        Advance(17);
    }

    /// <summary>Writes a date and time: its ticks and its kind.</summary>
    public void WriteDateTime(DateTime value) =>
        WriteTagged128(KeyTag.DateTime, (ulong)value.Kind, unchecked((ulong)value.Ticks));

    /// <summary>Writes a date and time with offset: its local ticks and its offset.</summary>
    public void WriteDateTimeOffset(DateTimeOffset value) =>
        WriteTagged128(KeyTag.DateTimeOffset, unchecked((ulong)value.Offset.Ticks), unchecked((ulong)value.Ticks));

    /// <summary>Writes a time span by its ticks.</summary>
    public void WriteTimeSpan(TimeSpan value) => WriteTagged64(KeyTag.TimeSpan, unchecked((ulong)value.Ticks));

    /// <summary>Writes a date by its day number.</summary>
    public void WriteDateOnly(DateOnly value) => WriteTagged32(KeyTag.DateOnly, unchecked((uint)value.DayNumber));

    /// <summary>Writes a time of day by its ticks.</summary>
    public void WriteTimeOnly(TimeOnly value) => WriteTagged64(KeyTag.TimeOnly, unchecked((ulong)value.Ticks));

    /// <summary>Writes an enum value by its underlying integer (the enum's type is part of the method fingerprint).</summary>
    public void WriteEnum<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        ulong bits = Unsafe.SizeOf<TEnum>() switch
        {
            1 => Unsafe.As<TEnum, byte>(ref value),
            2 => Unsafe.As<TEnum, ushort>(ref value),
            4 => Unsafe.As<TEnum, uint>(ref value),
            _ => Unsafe.As<TEnum, ulong>(ref value),
        };
        WriteTagged64(KeyTag.Enum, bits);
    }

    /// <summary>Writes a string (or the null marker): tag, length in UTF-16 code units, then its UTF-8 bytes.</summary>
    public void WriteString(string? value)
    {
        _paths?.Item(_depth, BytesWritten);
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        WriteChars(KeyTag.String, value.AsSpan());
    }

    /// <summary>Writes a run of characters as a string.</summary>
    public void WriteString(ReadOnlySpan<char> value) => WriteChars(KeyTag.String, value);

    /// <summary>Writes a byte array (or the null marker): tag, length, bytes.</summary>
    public void WriteBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        WriteBytes(value.AsSpan());
    }

    /// <summary>Writes a run of bytes: tag, length, bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteTagged32(KeyTag.Bytes, (uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes a URI by its original string.</summary>
    public void WriteUri(Uri? value)
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        WriteChars(KeyTag.Uri, value.OriginalString.AsSpan());
    }

    /// <summary>Writes a version number.</summary>
    public void WriteVersion(Version? value)
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        WriteTagged128(KeyTag.Version,
            ((ulong)unchecked((uint)value.Major) << 32) | unchecked((uint)value.Minor),
            ((ulong)unchecked((uint)value.Build) << 32) | unchecked((uint)value.Revision));
    }

    /// <summary>Writes a type's identity (generic arguments of a cached method enter the key this way).</summary>
    public void WriteTypeIdentity<T>() => WriteChars(KeyTag.Type, TypeIdentity<T>.Name.AsSpan());

    // ---- structure ------------------------------------------------------------------------

    /// <summary>Starts a collection of known length; the items follow.</summary>
    public void BeginSequence(int count)
    {
        Enter();
        _paths?.Open(list: true, _depth);
        WriteTagged32(KeyTag.Sequence, unchecked((uint)count));
    }

    /// <summary>Starts a collection of unknown length; close it with <see cref="EndSequence"/>.</summary>
    public void BeginSequence()
    {
        Enter();
        _paths?.Open(list: true, _depth);
        WriteTag(KeyTag.OpenSequence);
    }

    /// <summary>Closes a collection started by either <c>BeginSequence</c> overload.</summary>
    public void EndSequence()
    {
        _paths?.Close(_depth, BytesWritten);
        WriteTag(KeyTag.EndSequence);
        _depth--;
    }

    /// <summary>Starts an object; its members follow in the order fixed by the generated schema.</summary>
    public void BeginObject()
    {
        Enter();
        WriteTag(KeyTag.Object);
    }

    /// <summary>Closes an object started by <see cref="BeginObject"/>.</summary>
    public void EndObject()
    {
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Writes a value that implements <see cref="ICacheKeyWritable"/> (or the null marker).</summary>
    public void WriteCustom<T>(T? value) where T : ICacheKeyWritable
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        Enter();
        WriteTag(KeyTag.Custom);
        value.WriteCacheKey(this);
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new CacheKeyException($"The arguments nest deeper than {MaxDepth} levels (a cycle?); the call is not cached.");
        }
    }

    // ---- buffer ---------------------------------------------------------------------------

    private void WriteTag(byte tag)
    {
        Span<byte> span = Reserve(1);
        span[0] = tag;
        Advance(1);
    }

    private void WriteTagged32(byte tag, uint value)
    {
        Span<byte> span = Reserve(5);
        span[0] = tag;
        BinaryPrimitives.WriteUInt32LittleEndian(span[1..], value);
        Advance(5);
    }

    private void WriteTagged64(byte tag, ulong value)
    {
        Span<byte> span = Reserve(9);
        span[0] = tag;
        BinaryPrimitives.WriteUInt64LittleEndian(span[1..], value);
        Advance(9);
    }

    private void WriteTagged128(byte tag, ulong high, ulong low)
    {
        Span<byte> span = Reserve(17);
        span[0] = tag;
        BinaryPrimitives.WriteUInt64LittleEndian(span[1..], high);
        BinaryPrimitives.WriteUInt64LittleEndian(span[9..], low);
        Advance(17);
    }

    /// <summary>
    /// Text: the tag, the length in UTF-16 code units, then the UTF-8 bytes (transcoded straight into
    /// the buffer, vectorized, and half the bytes to hash for the ASCII most prompts are). Text with an
    /// unpaired surrogate, which UTF-8 cannot carry, is written as raw UTF-16 under its own tag.
    /// </summary>
    private void WriteChars(byte tag, ReadOnlySpan<char> chars)
    {
        // Text whose UTF-8 surely fits in the buffer (at most 3 bytes per UTF-16 unit) is transcoded in one
        // pass, without searching it for surrogates first: an unpaired one stops the transcoder (InvalidData)
        // before anything is advanced, and the text is written below as if the pass had not been tried.
        int start = _position;
        if (BufferSize - start - 5 >= 3L * chars.Length)
        {
            Span<byte> span = _buffer.AsSpan(start);
            span[0] = tag;
            BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)chars.Length);
            if (System.Text.Unicode.Utf8.FromUtf16(chars, span[5..], out _, out int encoded, replaceInvalidSequences: false, isFinalBlock: true)
                == System.Buffers.OperationStatus.Done)
            {
                _position = start + 5 + encoded;
                return;
            }
        }
        // Searched as ushort: the char instantiation boxes its bounds (96 B a call) in precompiled
        // (ReadyToRun) code of this assembly, which would make every key allocate in a cold process.
        if (MemoryMarshal.Cast<char, ushort>(chars).IndexOfAnyInRange((ushort)0xD800, (ushort)0xDFFF) >= 0 && HasUnpairedSurrogate(chars))
        {
            WriteTagged32(KeyTag.Utf16Text, (uint)chars.Length);
            WriteTag(tag);
            WriteUtf16(chars);
            return;
        }
        WriteTagged32(tag, (uint)chars.Length);
        while (!chars.IsEmpty)
        {
            if (BufferSize - _position < 4)
            {
                Flush();
            }
            System.Buffers.OperationStatus status = System.Text.Unicode.Utf8.FromUtf16(
                chars, _buffer.AsSpan(_position), out int read, out int written, replaceInvalidSequences: false, isFinalBlock: true);
            _position += written;
            chars = chars[read..];
            if (status == System.Buffers.OperationStatus.DestinationTooSmall)
            {
                Flush();
            }
            else if (status != System.Buffers.OperationStatus.Done)
            {
                throw new CacheKeyException("Text could not be encoded for the key.");
            }
        }
    }

    private static bool HasUnpairedSurrogate(ReadOnlySpan<char> chars)
    {
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                return true;
            }
        }
        return false;
    }

    private void WriteUtf16(ReadOnlySpan<char> chars)
    {
        if (BitConverter.IsLittleEndian)
        {
            WriteRaw(MemoryMarshal.AsBytes(chars));
            return;
        }
        foreach (char c in chars)
        {
            Span<byte> span = Reserve(2);
            BinaryPrimitives.WriteUInt16LittleEndian(span, c);
            Advance(2);
        }
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= BufferSize - _position)
        {
            bytes.CopyTo(_buffer.AsSpan(_position));
            _position += bytes.Length;
            return;
        }
        // Runs longer than the buffer go straight into the incremental hash: no copy.
        Flush();
        _paths?.Append(bytes);
        _hash.AppendData(bytes);
        _bytesWritten += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int size)
    {
        if (BufferSize - _position < size)
        {
            Flush();
        }
        return _buffer.AsSpan(_position, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Advance(int size) => _position += size;

    /// <summary>Moves what the buffer holds into the incremental hash; from here on the key is hashed incrementally.</summary>
    private void Flush()
    {
        _incremental = true;
        if (_position == 0)
        {
            return;
        }
        _paths?.Append(_buffer.AsSpan(0, _position));
        _hash.AppendData(_buffer, 0, _position);
        _bytesWritten += _position;
        _position = 0;
    }

    [InlineArray(HashSize)]
    private struct DigestBytes
    {
        private byte _element;

        public DigestBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(this);

        public ReadOnlySpan<byte> AsSpan() => MemoryMarshal.CreateReadOnlySpan(ref _element, HashSize);
    }
}
