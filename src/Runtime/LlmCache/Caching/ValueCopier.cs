using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// How a cached value is handed to a caller without sharing a mutable object: immutable types as
/// they are, Microsoft.Extensions.AI's responses by a hand-written deep copy, arrays and lists item by
/// item, and anything else by a JSON round trip through the runtime's serializer options (provider
/// SDK models write and read themselves there, see <see cref="ClientModelJson"/>).
/// </summary>
internal static class ValueCopier<T>
{
    /// <summary>Whether values of <typeparamref name="T"/> can be shared as they are.</summary>
    public static readonly bool IsImmutable = Immutability.IsImmutable(typeof(T));

    public static T Copy(T value, JsonSerializerOptions options)
    {
        if (IsImmutable || value is null)
        {
            return value;
        }
        object? copied = value switch
        {
            ChatResponse response => ChatCopies.Copy(response),
            ChatMessage message => ChatCopies.Copy(message),
            _ => null,
        };
        // A subclass of a response type has members the hand-written copy does not know: copied by its contract, or refused.
        return copied is T typed && typed.GetType() == value.GetType() ? typed : RoundTrip(value, options);
    }

    private static T RoundTrip(T value, JsonSerializerOptions options)
    {
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        ResultTypes.EnsureReadBackAsItself(value, typeInfo);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        return JsonSerializer.Deserialize(buffer.WrittenSpan, typeInfo)!;
    }
}

/// <summary>Whether a value survives its declared type's JSON contract as the type it really has, all the way down.</summary>
internal static class ResultTypes
{
    private const int MaxDepth = 64;

    /// <summary>
    /// Throws when <paramref name="value"/>, or any value inside it, is an instance of a type the
    /// contract would read back as another: a derived class of a concrete declared type (a
    /// <c>Dog</c> returned as, or held in a property of type, <c>Animal</c>) that the contract does
    /// not list as a derived type, or an item of a collection with such an element type. Its own
    /// members would be lost, so the value can be neither copied nor stored. Values declared as
    /// <see cref="object"/> come back as JSON elements, as System.Text.Json reads them; members with a
    /// converter of their own are the converter's business.
    /// </summary>
    public static void EnsureReadBackAsItself<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        if (value is null)
        {
            return;
        }
        Check(value, typeof(T), typeInfo, typeInfo.Options, 0, "the result");
    }

    /// <summary>As <see cref="EnsureReadBackAsItself{T}(T, JsonTypeInfo{T})"/>, for a value inside another (a converter's value).</summary>
    public static void EnsureReadBackAsItself(object value, Type declared, JsonSerializerOptions options, int depth, string path) =>
        Check(value, declared, options.GetTypeInfo(declared), options, depth, path);

    private static void Check(object value, Type declared, JsonTypeInfo declaredInfo, JsonSerializerOptions options, int depth, string path)
    {
        if (depth > MaxDepth || declared == typeof(object))
        {
            return;
        }
        if (declaredInfo.Converter is IReadBackCheck own)
        {
            // A provider SDK model: its own reader decides what comes back, not a contract of members.
            own.EnsureReadBackAsItself(value, options, depth, path);
            return;
        }
        Type actual = value.GetType();
        JsonTypeInfo info = declaredInfo;
        if (actual != declared && !declared.IsValueType)
        {
            if (IsListedDerivedType(declaredInfo, actual))
            {
                info = options.GetTypeInfo(actual);
            }
            else if (!declared.IsInterface && !declared.IsAbstract)
            {
                throw new NotSupportedException(
                    $"A '{actual}' held as '{declared}' ({path}) would be read back as '{declared}' and lose its own members; list it with [JsonDerivedType] to cache it.");
            }
            else if (declaredInfo.Kind == JsonTypeInfoKind.Object)
            {
                // An interface or abstract object contract without this derived type: serialization
                // itself refuses it, or writes nothing it could read back.
                throw new NotSupportedException($"A '{actual}' held as '{declared}' ({path}) has no contract to be read back with.");
            }
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (JsonPropertyInfo property in info.Properties)
                {
                    if (property.Get is null || property.CustomConverter is not null || property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
                    {
                        continue;
                    }
                    if (property.Get(value) is { } member)
                    {
                        Check(member, property.PropertyType, options.GetTypeInfo(property.PropertyType), options, depth + 1, path + "." + property.Name);
                    }
                }
                break;
            case JsonTypeInfoKind.Enumerable when info.ElementType is { IsValueType: false } element && element != typeof(object):
                JsonTypeInfo elementInfo = options.GetTypeInfo(element);
                foreach (object? item in (System.Collections.IEnumerable)value)
                {
                    if (item is not null)
                    {
                        Check(item, element, elementInfo, options, depth + 1, path + "[]");
                    }
                }
                break;
            case JsonTypeInfoKind.Dictionary when info.ElementType is { IsValueType: false } valueType && valueType != typeof(object)
                && value is System.Collections.IDictionary dictionary:
                JsonTypeInfo valueInfo = options.GetTypeInfo(valueType);
                foreach (object? item in dictionary.Values)
                {
                    if (item is not null)
                    {
                        Check(item, valueType, valueInfo, options, depth + 1, path + "[]");
                    }
                }
                break;
        }
    }

    private static bool IsListedDerivedType(JsonTypeInfo info, Type actual)
    {
        if (info.PolymorphismOptions is { } polymorphism)
        {
            foreach (JsonDerivedType derived in polymorphism.DerivedTypes)
            {
                if (derived.DerivedType == actual)
                {
                    return true;
                }
            }
        }
        return false;
    }
}

/// <summary>Decides, once per type, whether its instances can be shared: no field of it or beneath it can change.</summary>
internal static class Immutability
{
    private static readonly ConcurrentDictionary<Type, bool> s_known = new();

    public static bool IsImmutable(Type type) => s_known.GetOrAdd(type, static t => Check(t, new HashSet<Type>()));

    private static bool Check(Type type, HashSet<Type> visiting)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
            || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(DateOnly)
            || type == typeof(TimeOnly) || type == typeof(Uri) || type == typeof(Version) || type == typeof(Half)
            || type == typeof(Int128) || type == typeof(UInt128))
        {
            return true;
        }
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Check(inner, visiting);
        }
        if (type.IsArray || type.IsInterface || type.IsAbstract || type.IsPointer || type == typeof(object)
            || type.IsGenericTypeDefinition || (!type.IsValueType && !type.IsSealed))
        {
            // Arrays can be written to; an unsealed or abstract type may hide a mutable subclass.
            return false;
        }
        if (!visiting.Add(type))
        {
            return true; // a cycle: decided by the other members
        }
        // Every field of the whole hierarchy, private fields of base types included: a sealed type
        // deriving from a collection or from a record with a settable property is mutable.
        for (Type? level = type; level is not null && level != typeof(object) && level != typeof(ValueType); level = level.BaseType)
        {
            foreach (FieldInfo field in level.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.IsInitOnly || !Check(field.FieldType, visiting))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
