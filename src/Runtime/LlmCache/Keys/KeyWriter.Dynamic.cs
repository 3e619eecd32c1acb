using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache;

public sealed partial class KeyWriter
{
    /// <summary>
    /// Writes a value whose type is known only at run time: a generic argument of a cached method, or an
    /// <see cref="object"/>-typed value inside a known type (tool-call arguments, additional properties).
    /// Primitive types resolve without boxing; the runtime type's identity is written first, so
    /// <c>1</c> and <c>1L</c> never collide.
    /// </summary>
    public void WriteValue<T>(T value)
    {
        if (typeof(T).IsValueType)
        {
            if (typeof(T) == typeof(int)) { WriteInt32(Unsafe.As<T, int>(ref value)); return; }
            if (typeof(T) == typeof(long)) { WriteInt64(Unsafe.As<T, long>(ref value)); return; }
            if (typeof(T) == typeof(bool)) { WriteBoolean(Unsafe.As<T, bool>(ref value)); return; }
            if (typeof(T) == typeof(double)) { WriteDouble(Unsafe.As<T, double>(ref value)); return; }
            if (typeof(T) == typeof(float)) { WriteSingle(Unsafe.As<T, float>(ref value)); return; }
            if (typeof(T) == typeof(decimal)) { WriteDecimal(Unsafe.As<T, decimal>(ref value)); return; }
            if (typeof(T) == typeof(short)) { WriteInt16(Unsafe.As<T, short>(ref value)); return; }
            if (typeof(T) == typeof(byte)) { WriteByte(Unsafe.As<T, byte>(ref value)); return; }
            if (typeof(T) == typeof(uint)) { WriteUInt32(Unsafe.As<T, uint>(ref value)); return; }
            if (typeof(T) == typeof(ulong)) { WriteUInt64(Unsafe.As<T, ulong>(ref value)); return; }
            if (typeof(T) == typeof(char)) { WriteChar(Unsafe.As<T, char>(ref value)); return; }
            if (typeof(T) == typeof(Guid)) { WriteGuid(Unsafe.As<T, Guid>(ref value)); return; }
            if (typeof(T) == typeof(DateTime)) { WriteDateTime(Unsafe.As<T, DateTime>(ref value)); return; }
            if (typeof(T) == typeof(DateTimeOffset)) { WriteDateTimeOffset(Unsafe.As<T, DateTimeOffset>(ref value)); return; }
            if (typeof(T) == typeof(TimeSpan)) { WriteTimeSpan(Unsafe.As<T, TimeSpan>(ref value)); return; }
        }
        else if (typeof(T) == typeof(string))
        {
            WriteString(Unsafe.As<T, string?>(ref value));
            return;
        }
        WriteObject(value);
    }

    /// <summary>
    /// Writes a value by its runtime type: primitives, strings, enums, byte arrays, JSON elements,
    /// <see cref="ICacheKeyWritable"/>, Microsoft.Extensions.AI types, dictionaries (sorted), sets
    /// (sorted) and sequences (in order). Any other type is written as its type name and its
    /// System.Text.Json encoding, the one place a key may cost a serialization.
    /// </summary>
    public void WriteObject(object? value)
    {
        switch (value)
        {
            case null: WriteNull(); return;
            case string s: WriteString(s); return;
            case int i: WriteInt32(i); return;
            case long l: WriteInt64(l); return;
            case bool b: WriteBoolean(b); return;
            case double d: WriteDouble(d); return;
            case float f: WriteSingle(f); return;
            case decimal m: WriteDecimal(m); return;
            case short sh: WriteInt16(sh); return;
            case ushort us: WriteUInt16(us); return;
            case byte by: WriteByte(by); return;
            case sbyte sb: WriteSByte(sb); return;
            case uint ui: WriteUInt32(ui); return;
            case ulong ul: WriteUInt64(ul); return;
            case char c: WriteChar(c); return;
            case Half h: WriteHalf(h); return;
            case Int128 i128: WriteInt128(i128); return;
            case UInt128 u128: WriteUInt128(u128); return;
            case nint ni: WriteIntPtr(ni); return;
            case nuint nu: WriteUIntPtr(nu); return;
            case Guid g: WriteGuid(g); return;
            case DateTime dt: WriteDateTime(dt); return;
            case DateTimeOffset dto: WriteDateTimeOffset(dto); return;
            case TimeSpan ts: WriteTimeSpan(ts); return;
            case DateOnly d0: WriteDateOnly(d0); return;
            case TimeOnly t0: WriteTimeOnly(t0); return;
            case Uri u: WriteUri(u); return;
            case Version v: WriteVersion(v); return;
            case byte[] bytes: WriteBytes(bytes); return;
            case ReadOnlyMemory<byte> rom: WriteBytes(rom.Span); return;
            case Enum e: WriteBoxedEnum(e); return;
            case JsonElement json: WriteJson(json); return;
            case ICacheKeyWritable custom: WriteCustom(custom); return;
            case ChatMessage message: WriteChatMessage(message); return;
            case AIContent content: WriteAIContent(content); return;
            case ChatOptions options: WriteChatOptions(options); return;
            case AITool tool: WriteAITool(tool); return;
            case IEnumerable<KeyValuePair<string, object?>> map:
                WriteMap(map, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                return;
            case IDictionary dictionary: WriteLegacyDictionary(dictionary); return;
            case IEnumerable sequence: WriteUntypedSequence(sequence); return;
        }
        WriteSerialized(value);
    }

    private void WriteBoxedEnum(Enum value)
    {
        WriteChars(KeyTag.Type, (value.GetType().FullName ?? value.GetType().Name).AsSpan());
        WriteTagged64(KeyTag.Enum, Type.GetTypeCode(Enum.GetUnderlyingType(value.GetType())) switch
        {
            TypeCode.UInt64 => Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            _ => unchecked((ulong)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        });
    }

    /// <summary>Writes a JSON element by its raw UTF-8 text (a tool's schema, a response format), without copying it.</summary>
    public void WriteJson(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            WriteNull();
            return;
        }
#if NET9_0_OR_GREATER
        ReadOnlySpan<byte> raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
#else
        ReadOnlySpan<byte> raw = System.Text.Encoding.UTF8.GetBytes(value.GetRawText());
#endif
        WriteTagged32(KeyTag.Json, (uint)raw.Length);
        WriteRaw(raw);
    }

    private void WriteLegacyDictionary(IDictionary dictionary)
    {
        // Keys of a non-generic dictionary are ordered by their invariant text, then written as themselves.
        var entries = new List<KeyValuePair<string, DictionaryEntry>>(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            entries.Add(new(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, entry));
        }
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        Enter();
        WriteTagged32(KeyTag.Map, unchecked((uint)entries.Count));
        foreach (KeyValuePair<string, DictionaryEntry> entry in entries)
        {
            WriteObject(entry.Value.Key);
            WriteObject(entry.Value.Value);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    private void WriteUntypedSequence(IEnumerable sequence)
    {
        BeginSequence();
        foreach (object? item in sequence)
        {
            WriteObject(item);
        }
        EndSequence();
    }

    private void WriteSerialized(object value)
    {
        Type type = value.GetType();
        WriteChars(KeyTag.Type, (type.FullName ?? type.Name).AsSpan());
        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(value, type, AIJsonUtilities.DefaultOptions);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            throw new CacheKeyException($"A value of type {type.FullName} has no canonical key encoding; implement {nameof(ICacheKeyWritable)} on it.", ex);
        }
        WriteTagged32(KeyTag.Json, (uint)json.Length);
        WriteRaw(json);
    }

}
