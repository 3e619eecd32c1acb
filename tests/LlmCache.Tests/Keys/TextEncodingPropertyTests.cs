using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CsCheck;

namespace LlmCache.Tests.Keys;

/// <summary>
/// The bytes a key hashes for text, against an encoder written here from the documented format: tag 0x0F,
/// the length in UTF-16 units (int32, little endian), then UTF-8; text with an unpaired surrogate is tag
/// 0x2A, the length, tag 0x0F, then its UTF-16 units. Random text (ASCII, accents, pairs, lone halves)
/// is written after a random amount of other bytes, so it starts anywhere in the writer's 16 KB buffer,
/// fits or crosses its end, and takes the one-pass path or the searched one.
/// </summary>
public sealed class TextEncodingPropertyTests
{
    private static readonly Gen<char> s_char = Gen.Frequency(
        (6, Gen.Char['a', 'z']),
        (2, Gen.Char['\u00C0', '\u024F']),
        (1, Gen.Char['\uD800', '\uDBFF']),
        (1, Gen.Char['\uDC00', '\uDFFF']),
        (1, Gen.Const('\uFFFD')));

    private static readonly Gen<string> s_text = Gen.Frequency(
        (4, s_char.Array[0, 40].Select(c => new string(c))),
        (1, s_char.Array[0, 40].Select(c => new string(c) + "\U0001F600" + new string(c))),
        (1, Gen.Int[2_000, 9_000].Select(Gen.Char['a', 'c'].Array[1, 4], (n, c) => string.Concat(Enumerable.Repeat(new string(c), n / c.Length)))));

    [Fact]
    public void TextAnywhereInTheBuffer_HashesTheDocumentedBytes()
    {
        Gen.Select(Gen.Int[0, 16_400], s_text, s_text).Sample((padding, first, second) =>
        {
            byte[] filler = new byte[padding];
            string actual = Keys.Of(w =>
            {
                w.WriteBytes(filler);
                w.WriteString(first);
                w.WriteString(second);
            });

            var expected = new List<byte>();
            expected.Add(0x10); // bytes: tag, length, the bytes
            AppendInt32(expected, filler.Length);
            expected.AddRange(filler);
            Append(expected, first);
            Append(expected, second);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), actual);
        }, iter: 400);
    }

    private static void Append(List<byte> bytes, string text)
    {
        if (HasUnpairedSurrogate(text))
        {
            bytes.Add(0x2A);
            AppendInt32(bytes, text.Length);
            bytes.Add(0x0F);
            foreach (char c in text)
            {
                bytes.Add((byte)c);
                bytes.Add((byte)(c >> 8));
            }
            return;
        }
        bytes.Add(0x0F);
        AppendInt32(bytes, text.Length);
        bytes.AddRange(Encoding.UTF8.GetBytes(text));
    }

    private static bool HasUnpairedSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static void AppendInt32(List<byte> bytes, int value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(span, value);
        bytes.AddRange(span.ToArray());
    }
}
