namespace LlmCache;

/// <summary>
/// The type tags of the canonical key encoding. Every value is written as a tag, then (for variable
/// length values) a length, then its bytes, so no two distinct argument lists share an encoding.
/// These numbers are part of the on-disk key format: never renumber one, only add.
/// </summary>
internal static class KeyTag
{
    public const byte Null = 0x00;
    public const byte False = 0x01;
    public const byte True = 0x02;
    public const byte Byte = 0x03;
    public const byte SByte = 0x04;
    public const byte Int16 = 0x05;
    public const byte UInt16 = 0x06;
    public const byte Int32 = 0x07;
    public const byte UInt32 = 0x08;
    public const byte Int64 = 0x09;
    public const byte UInt64 = 0x0A;
    public const byte Single = 0x0B;
    public const byte Double = 0x0C;
    public const byte Decimal = 0x0D;
    public const byte Char = 0x0E;
    public const byte String = 0x0F;
    public const byte Bytes = 0x10;
    public const byte Guid = 0x11;
    public const byte DateTime = 0x12;
    public const byte DateTimeOffset = 0x13;
    public const byte TimeSpan = 0x14;
    public const byte DateOnly = 0x15;
    public const byte TimeOnly = 0x16;
    public const byte Half = 0x17;
    public const byte Int128 = 0x18;
    public const byte UInt128 = 0x19;
    public const byte Enum = 0x1A;
    public const byte NInt = 0x1B;
    public const byte NUInt = 0x1C;
    public const byte Uri = 0x1D;
    public const byte Version = 0x1E;

    public const byte Sequence = 0x20;
    public const byte OpenSequence = 0x21;
    public const byte EndSequence = 0x22;
    public const byte Map = 0x23;
    public const byte Set = 0x24;
    public const byte Object = 0x25;
    public const byte EndObject = 0x26;
    public const byte Type = 0x27;
    public const byte Custom = 0x28;
    public const byte Json = 0x29;
    public const byte Utf16Text = 0x2A;
    public const byte Delegate = 0x2B;
    public const byte Tuple = 0x2C;
    public const byte Exception = 0x2D;

    public const byte ChatMessage = 0x30;
    public const byte ChatOptions = 0x31;
    public const byte Content = 0x32;
    public const byte Tool = 0x33;
    public const byte ResponseFormat = 0x34;
    public const byte ToolMode = 0x35;
    public const byte Reasoning = 0x36;
    public const byte Model = 0x37;
}
