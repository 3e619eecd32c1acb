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
/// item, and anything else by a JSON round trip through the configured serializer options.
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

/// <summary>Whether a value survives its declared type's JSON contract as the type it really has.</summary>
internal static class ResultTypes
{
    /// <summary>
    /// Throws when <paramref name="value"/> is an instance of a type derived from the concrete class
    /// <typeparamref name="T"/> that the contract does not list as a derived type: it would be read
    /// back as <typeparamref name="T"/>, its own members lost, so it can be neither copied nor stored.
    /// </summary>
    public static void EnsureReadBackAsItself<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        if (value is null || typeof(T).IsValueType || typeof(T).IsInterface || typeof(T).IsAbstract)
        {
            // Structs have no derived types; an interface or abstract type is either polymorphic or not readable at all.
            return;
        }
        Type actual = value.GetType();
        if (actual == typeof(T))
        {
            return;
        }
        if (typeInfo.PolymorphismOptions is { } polymorphism)
        {
            foreach (JsonDerivedType derived in polymorphism.DerivedTypes)
            {
                if (derived.DerivedType == actual)
                {
                    return;
                }
            }
        }
        throw new NotSupportedException(
            $"A '{actual}' returned as '{typeof(T)}' would be read back as '{typeof(T)}' and lose its own members; list it with [JsonDerivedType] to cache it.");
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
