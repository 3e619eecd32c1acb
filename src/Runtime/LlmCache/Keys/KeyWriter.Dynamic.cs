using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
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
    /// Writes a value by its runtime type, always by LlmCache's own rules (never a serializer's defaults):
    /// primitives, strings, enums, byte arrays, URIs, JSON (elements, documents, nodes), tuples,
    /// <see cref="ICacheKeyWritable"/> (which takes priority over everything but primitives),
    /// Microsoft.Extensions.AI types (see <see cref="AIKeyCoverage"/>), dictionaries and sets (sorted),
    /// sequences (in order), delegates and exceptions. Anything else is walked: its runtime type's
    /// name, then each public instance readable property and public field in ordinal name order,
    /// named, each written by this method according to its own runtime type (so a member declared as a
    /// base type and holding a derived value keys the derived members), nesting at most
    /// <see cref="MaxDepth"/> levels.
    /// </summary>
    /// <remarks>
    /// Keys are refused (<see cref="CacheKeyException"/>, and the runtime runs the call uncached) for a
    /// framework type with no dedicated writer, whose public members are not its value
    /// (<c>StringBuilder</c>); a type whose state is all private; a delegate whose code cannot be
    /// identified or which captures state without implementing <see cref="ICacheKeyWritable"/>; a
    /// response continuation token. A delegate is keyed by its method's identity (module version id,
    /// metadata token, declaring type) and, when its target implements <see cref="ICacheKeyWritable"/>,
    /// by the target's own key; a static method or a lambda that captures nothing depends only on its code.
    /// </remarks>
    public void WriteObject(object? value)
    {
        _paths?.Item(_depth, BytesWritten);
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
            case Enum e: WriteBoxedEnum(e); return;
            case JsonElement json: WriteJson(json); return;
            case ICacheKeyWritable custom: WriteCustom(custom); return;
            case Uri u: WriteUri(u); return;
            case Version v: WriteVersion(v); return;
            case byte[] bytes: WriteBytes(bytes); return;
            case ReadOnlyMemory<byte> rom: WriteBytes(rom.Span); return;
            case Memory<byte> memory: WriteBytes(memory.Span); return;
            case JsonDocument document: WriteJson(document.RootElement); return;
            case JsonNode node: WriteJsonNode(node); return;
            case ChatMessage message: WriteChatMessage(message); return;
            case AIContent content: WriteAIContent(content); return;
            case ChatOptions options: WriteChatOptions(options); return;
            case AITool tool: WriteAITool(tool); return;
            // The role's text as WriteString writes it, without announcing a second value to a recorder.
            case ChatRole role: WriteChars(KeyTag.Type, "Microsoft.Extensions.AI.ChatRole".AsSpan()); WriteChars(KeyTag.String, role.Value.AsSpan()); return;
            case ChatResponseFormat format: WriteResponseFormat(format); return;
            case ChatToolMode mode: WriteToolMode(mode); return;
            case ReasoningOptions reasoning: WriteReasoning(reasoning); return;
            case ResponseContinuationToken token: WriteContinuationToken(token); return;
            case Delegate function: WriteDelegate(function); return;
            case Exception exception: WriteException(exception); return;
            case Type type: WriteChars(KeyTag.Type, TypeNames.Of(type).AsSpan()); return;
            case ITuple tuple: WriteTuple(tuple); return;
            case BigInteger big: WriteChars(KeyTag.Type, "System.Numerics.BigInteger".AsSpan()); WriteBytes(big.ToByteArray()); return;
            case System.Drawing.Size size: WriteChars(KeyTag.Type, "System.Drawing.Size".AsSpan()); WriteInt32(size.Width); WriteInt32(size.Height); return;
            case System.Collections.IEnumerable when !ObjectShape.IsFrameworkType(value.GetType()) && ObjectShape.For(value.GetType()).IsCollection:
                WriteWalked(value);
                return;
            case IReadOnlyDictionary<string, object?> map:
                WriteMap(map, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                return;
            case IDictionary<string, object?> map:
                WriteMap(map, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                return;
            case IDictionary dictionary: WriteLegacyDictionary(dictionary); return;
            case IReadOnlySet<string> set: WriteSet(set, static (w, s) => w.WriteString(s)); return;
            case ISet<string> set: WriteSet(set, static (w, s) => w.WriteString(s)); return;
            case IEnumerable sequence: WriteUntypedSequence(sequence); return;
        }
        WriteWalked(value);
    }

    /// <summary>The object walker: the runtime type's name, then its members, then a user collection's contents (see <see cref="WriteObject"/>).</summary>
    private void WriteWalked(object value)
    {
        ObjectShape shape = ShapeOf(value.GetType());
        if (shape.Refusal is { } refusal)
        {
            throw new CacheKeyException(refusal);
        }
        Enter();
        _paths?.Open(list: false, _depth);
        WriteTag(KeyTag.Object);
        WriteWalkedMembers(value, shape, shape.Members);
        if (shape.IsCollection)
        {
            WriteContents(value);
        }
        _paths?.Close(_depth, BytesWritten);
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>A collection type of the user's: after its own members, its contents as the collection they are.</summary>
    private void WriteContents(object value)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object?> map:
                WriteMap(map, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                break;
            case IDictionary<string, object?> map:
                WriteMap(map, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                break;
            case System.Collections.IDictionary dictionary:
                WriteLegacyDictionary(dictionary);
                break;
            case IReadOnlySet<string> set:
                WriteSet(set, static (w, s) => w.WriteString(s));
                break;
            case ISet<string> set:
                WriteSet(set, static (w, s) => w.WriteString(s));
                break;
            default:
                WriteUntypedSequence((System.Collections.IEnumerable)value);
                break;
        }
    }

    /// <summary>
    /// Whether a value passed where a framework collection is declared is a collection type of the
    /// user's, whose own members a generated collection writer would miss (generated code only).
    /// </summary>
    /// <param name="value">The argument.</param>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool IsUserCollection(object value)
    {
        Type type = value.GetType();
        return !type.IsArray && !ObjectShape.IsFrameworkType(type) && ObjectShape.For(type).IsCollection;
    }

    /// <summary>The shape of <paramref name="type"/>; the last one is kept, as a request's tools are usually of one type.</summary>
    private ObjectShape ShapeOf(Type type)
    {
        ObjectShape? last = _lastShape;
        if (last is not null && last.Type == type)
        {
            return last;
        }
        return _lastShape = ObjectShape.For(type);
    }

    /// <summary>The type's name, then each member as its name and its value.</summary>
    private void WriteWalkedMembers(object value, ObjectShape shape, ObjectMember[] members)
    {
        WriteChars(KeyTag.Type, shape.TypeName.AsSpan());
        for (int i = 0; i < members.Length; i++)
        {
            ObjectMember member = members[i];
            object? memberValue;
            try
            {
                memberValue = member.Read(value);
            }
            catch (TargetInvocationException ex)
            {
                throw new CacheKeyException($"Reading {shape.TypeName}.{member.Name} for the key failed; the call is not cached.", ex.InnerException ?? ex);
            }
            WriteString(member.Name);
            _paths?.Field(member.Name, _depth, BytesWritten);
            WriteObject(memberValue);
            _paths?.EndField(_depth, BytesWritten);
        }
    }

    private void WriteTuple(ITuple tuple)
    {
        Enter();
        WriteTagged32(KeyTag.Tuple, unchecked((uint)tuple.Length));
        WriteChars(KeyTag.Type, TypeNames.Of(tuple.GetType()).AsSpan());
        for (int i = 0; i < tuple.Length; i++)
        {
            WriteObject(tuple[i]);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>An exception (a function call's or result's): its type, its message and its inner exception.</summary>
    private void WriteException(Exception exception)
    {
        Enter();
        WriteTag(KeyTag.Exception);
        WriteChars(KeyTag.Type, TypeNames.Of(exception.GetType()).AsSpan());
        WriteString(exception.Message);
        WriteObject(exception.InnerException);
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    private void WriteDelegate(Delegate function)
    {
        Delegate[] invocations = function.GetInvocationList();
        if (invocations.Length == 1)
        {
            WriteSingleDelegate(function);
            return;
        }
        BeginSequence(invocations.Length);
        foreach (Delegate invocation in invocations)
        {
            WriteSingleDelegate(invocation);
        }
        EndSequence();
    }

    private void WriteSingleDelegate(Delegate function)
    {
        MethodInfo method = function.Method;
        object? target = function.Target;
        if (method.DeclaringType is not { } declaring || method.Module.Assembly.IsDynamic)
        {
            throw new CacheKeyException($"A delegate to generated code ({method.Name}) cannot be identified for a key; the call is not cached.");
        }
        if (target is not null and not ICacheKeyWritable && !IsStateless(target.GetType()))
        {
            throw new CacheKeyException(
                $"A delegate ({TypeNames.Of(declaring)}.{method.Name}) captures state ({TypeNames.Of(target.GetType())}) with no canonical key encoding; " +
                $"make its target implement {nameof(ICacheKeyWritable)}, or the call is not cached.");
        }
        Enter();
        WriteTag(KeyTag.Delegate);
        WriteGuid(method.Module.ModuleVersionId);
        WriteInt32(method.MetadataToken);
        WriteChars(KeyTag.Type, TypeNames.Of(declaring).AsSpan());
        if (method.IsGenericMethod)
        {
            Type[] arguments = method.GetGenericArguments();
            BeginSequence(arguments.Length);
            foreach (Type argument in arguments)
            {
                WriteChars(KeyTag.Type, TypeNames.Of(argument).AsSpan());
            }
            EndSequence();
        }
        else
        {
            WriteNull();
        }
        if (target is ICacheKeyWritable custom)
        {
            WriteCustom(custom);
        }
        else
        {
            WriteNull();
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>A delegate target without instance fields (a lambda's closure that captured nothing) adds nothing to its code.</summary>
    private static bool IsStateless(Type type) => s_stateless.GetOrAdd(type, static t =>
    {
        for (Type? current = t; current is not null && current != typeof(object); current = current.BaseType)
        {
            if (current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Length > 0)
            {
                return false;
            }
        }
        return true;
    });

    private static readonly ConcurrentDictionary<Type, bool> s_stateless = new();

    private ObjectShape? _lastShape;

    /// <summary>A JSON node by its compact JSON text (the same bytes a <see cref="JsonElement"/> of that text writes).</summary>
    private void WriteJsonNode(JsonNode node)
    {
        var json = new ArrayBufferWriter<byte>();
        try
        {
            using var writer = new Utf8JsonWriter(json);
            node.WriteTo(writer);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            throw new CacheKeyException("A JSON node holds a value with no JSON form; the call is not cached.", ex);
        }
        WriteTagged32(KeyTag.Json, (uint)json.WrittenCount);
        WriteRaw(json.WrittenSpan);
    }

    private void WriteBoxedEnum(Enum value)
    {
        WriteChars(KeyTag.Type, TypeNames.Of(value.GetType()).AsSpan());
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
}
