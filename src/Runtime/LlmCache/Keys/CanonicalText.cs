using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace LlmCache;

/// <summary>
/// Renders a run of canonical key bytes (<see cref="KeyTag"/>) as JSON a reviewer can read: text,
/// numbers, booleans, JSON values, lists, string-keyed maps, and objects whose parts have no names as
/// the list of their values. Anything else (byte runs, delegates, dates …) becomes a placeholder. It only reads what the key writer
/// wrote for a snapshot's arguments; a key never depends on it.
/// </summary>
internal static class CanonicalText
{
    private const int MaxDepth = 64;

    /// <summary>One value as itself, several values written for one part (a client's provider, endpoint and model) as an array.</summary>
    public static JsonNode? Render(ReadOnlySpan<byte> bytes)
    {
        var values = new List<JsonNode?>();
        int at = 0;
        try
        {
            while (at < bytes.Length)
            {
                if (!TryRead(bytes, ref at, 0, out JsonNode? value))
                {
                    return Placeholder(bytes.Length);
                }
                values.Add(value);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or System.Text.Json.JsonException or FormatException)
        {
            return Placeholder(bytes.Length);
        }
        return values.Count == 1 ? values[0] : new JsonArray([.. values]);
    }

    private static JsonValue Placeholder(int length) =>
        JsonValue.Create("(" + length.ToString(CultureInfo.InvariantCulture) + " canonical bytes)");

    private static bool TryRead(ReadOnlySpan<byte> b, ref int at, int depth, out JsonNode? value)
    {
        value = null;
        if (depth > MaxDepth)
        {
            return false;
        }
        byte tag = b[at++];
        switch (tag)
        {
            case KeyTag.Null:
                return true;
            case KeyTag.False:
            case KeyTag.True:
                value = JsonValue.Create(tag == KeyTag.True);
                return true;
            case KeyTag.Byte:
                value = JsonValue.Create(b[at++]);
                return true;
            case KeyTag.SByte:
                value = JsonValue.Create(unchecked((sbyte)b[at++]));
                return true;
            case KeyTag.Int16:
                value = JsonValue.Create(BinaryPrimitives.ReadInt16LittleEndian(b.Slice(Advance(ref at, 2), 2)));
                return true;
            case KeyTag.UInt16:
                value = JsonValue.Create(BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(Advance(ref at, 2), 2)));
                return true;
            case KeyTag.Char:
                value = JsonValue.Create(((char)BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(Advance(ref at, 2), 2))).ToString());
                return true;
            case KeyTag.Int32:
                value = JsonValue.Create(BinaryPrimitives.ReadInt32LittleEndian(b.Slice(Advance(ref at, 4), 4)));
                return true;
            case KeyTag.UInt32:
                value = JsonValue.Create(BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4)));
                return true;
            case KeyTag.Single:
                value = Number(BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4))));
                return true;
            case KeyTag.Int64:
            case KeyTag.Enum:
            case KeyTag.NInt:
                value = JsonValue.Create(BinaryPrimitives.ReadInt64LittleEndian(b.Slice(Advance(ref at, 8), 8)));
                return true;
            case KeyTag.UInt64:
            case KeyTag.NUInt:
                value = JsonValue.Create(BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(Advance(ref at, 8), 8)));
                return true;
            case KeyTag.Double:
                value = Number(BitConverter.UInt64BitsToDouble(BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(Advance(ref at, 8), 8))));
                return true;
            case KeyTag.TimeSpan:
                value = JsonValue.Create(new TimeSpan(BinaryPrimitives.ReadInt64LittleEndian(b.Slice(Advance(ref at, 8), 8))).ToString("c", CultureInfo.InvariantCulture));
                return true;
            case KeyTag.Guid:
                value = JsonValue.Create(new Guid(b.Slice(Advance(ref at, 16), 16), bigEndian: true).ToString());
                return true;
            case KeyTag.String:
            case KeyTag.Uri:
            case KeyTag.Type:
                value = JsonValue.Create(ReadText(b, ref at));
                return true;
            case KeyTag.Utf16Text:
            {
                int units = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4));
                at++; // the tag of the text it stands for
                var chars = new char[units];
                for (int i = 0; i < units; i++)
                {
                    chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(Advance(ref at, 2), 2));
                }
                value = JsonValue.Create(new string(chars));
                return true;
            }
            case KeyTag.Bytes:
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4));
                Advance(ref at, length);
                value = JsonValue.Create("(" + length.ToString(CultureInfo.InvariantCulture) + " bytes)");
                return true;
            }
            case KeyTag.Json:
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4));
                value = JsonNode.Parse(b.Slice(Advance(ref at, length), length));
                return true;
            }
            case KeyTag.Sequence:
                Advance(ref at, 4);
                return TryReadItems(b, ref at, depth, KeyTag.EndSequence, out value);
            case KeyTag.OpenSequence:
                return TryReadItems(b, ref at, depth, KeyTag.EndSequence, out value);
            case KeyTag.Set:
                Advance(ref at, 4);
                return TryReadItems(b, ref at, depth, KeyTag.EndObject, out value);
            case KeyTag.Map:
            {
                Advance(ref at, 4);
                var map = new JsonObject();
                while (b[at] != KeyTag.EndObject)
                {
                    if (b[at] != KeyTag.String)
                    {
                        return false;
                    }
                    at++;
                    string name = ReadText(b, ref at);
                    if (!TryRead(b, ref at, depth + 1, out JsonNode? item))
                    {
                        return false;
                    }
                    map[name] = item;
                }
                at++;
                value = map;
                return true;
            }
            case KeyTag.Tuple:
                Advance(ref at, 4);
                return TryReadItems(b, ref at, depth, KeyTag.EndObject, out value);
            case KeyTag.Object:
            case KeyTag.Custom:
            case KeyTag.Exception:
            case KeyTag.Model:
            case KeyTag.ChatMessage:
            case KeyTag.ChatOptions:
            case KeyTag.Content:
            case KeyTag.Tool:
                // An object whose parts have no names here (a generated record writer, an object inside
                // a dictionary): its values in the order they were written.
                return TryReadItems(b, ref at, depth, KeyTag.EndObject, out value);
            default:
                return false;
        }
    }

    private static bool TryReadItems(ReadOnlySpan<byte> b, ref int at, int depth, byte end, out JsonNode? value)
    {
        value = null;
        var items = new JsonArray();
        while (b[at] != end)
        {
            if (!TryRead(b, ref at, depth + 1, out JsonNode? item))
            {
                return false;
            }
            items.Add(item);
        }
        at++;
        value = items;
        return true;
    }

    /// <summary>Text as the writer writes it: its length in UTF-16 code units, then its UTF-8 bytes.</summary>
    private static string ReadText(ReadOnlySpan<byte> b, ref int at)
    {
        int units = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(Advance(ref at, 4), 4));
        int start = at;
        int read = 0;
        while (read < units)
        {
            if (Rune.DecodeFromUtf8(b[at..], out Rune rune, out int consumed) != OperationStatus.Done)
            {
                throw new FormatException("Not UTF-8 text.");
            }
            at += consumed;
            read += rune.Utf16SequenceLength;
        }
        return Encoding.UTF8.GetString(b[start..at]);
    }

    private static JsonValue Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static JsonValue Number(float value) =>
        float.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    private static int Advance(ref int at, int length)
    {
        if (length < 0)
        {
            throw new FormatException("A negative length.");
        }
        int start = at;
        at += length;
        return start;
    }
}
