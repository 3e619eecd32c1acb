using System.Collections.Concurrent;
using System.Reflection;

namespace LlmCache;

/// <summary>One public member the object walker writes: its name and how to read it.</summary>
internal sealed class ObjectMember(string name, Func<object, object?> read)
{
    public string Name { get; } = name;

    public Func<object, object?> Read { get; } = read;
}

/// <summary>
/// What the object walker writes for one runtime type, worked out once per type: the type's key name
/// and its public instance readable properties and public fields in ordinal name order, or the
/// reason the type cannot be keyed at all.
/// </summary>
/// <remarks>
/// A framework type (namespace <c>System</c> or <c>Microsoft</c>, or below) is never walked blindly,
/// since its public surface rarely is its value (two <c>StringBuilder</c>s differ in text, not in
/// <c>Capacity</c>): it needs a dedicated writer or the key is refused. The exception is a
/// Microsoft.Extensions.AI type covered by <see cref="AIKeyCoverage"/>, walked with the catalogue's
/// exclusions. A type that keeps state in a non-public field other than the backing field of a
/// public property is refused too: its public members might not tell two values apart.
/// </remarks>
internal sealed class ObjectShape
{
    private static readonly ConcurrentDictionary<Type, ObjectShape> s_shapes = new();
    private static readonly string[] s_declarationMembers = ["AdditionalProperties", "Description", "JsonSchema", "Name", "ReturnJsonSchema"];

    private ObjectMember[]? _declarationExtras;

    private ObjectShape(Type type, ObjectMember[] members, string? refusal, bool isCollection = false)
    {
        Type = type;
        TypeName = TypeNames.Of(type);
        Members = members;
        Refusal = refusal;
        IsCollection = isCollection;
    }

    /// <summary>
    /// A collection type of the user's (it derives from or implements a framework collection): its own
    /// members are written, then its contents as the collection they are.
    /// </summary>
    public bool IsCollection { get; }

    public Type Type { get; }

    public string TypeName { get; }

    /// <summary>The members in ordinal name order.</summary>
    public ObjectMember[] Members { get; }

    /// <summary>When set, values of this type cannot be keyed, for this reason.</summary>
    public string? Refusal { get; }

    /// <summary>
    /// For a function declaration: the members beyond the declaration the hand-written writer already
    /// writes (members a user-defined subclass adds).
    /// </summary>
    public ObjectMember[] DeclarationExtras =>
        _declarationExtras ??= Array.FindAll(Members, static m => Array.IndexOf(s_declarationMembers, m.Name) < 0);

    public static ObjectShape For(Type type) => s_shapes.GetOrAdd(type, static t => Create(t));

    internal static bool IsFrameworkType(Type type)
    {
        string? ns = type.Namespace;
        return ns is not null && (IsUnder(ns, "System") || IsUnder(ns, "Microsoft"));

        static bool IsUnder(string ns, string root) =>
            ns.StartsWith(root, StringComparison.Ordinal) && (ns.Length == root.Length || ns[root.Length] == '.');
    }

    private static ObjectShape Create(Type type)
    {
        bool library = AIKeyCoverage.Covers(type) && AIKeyCoverage.IsLibraryType(type);
        bool pair = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>);
        if (IsFrameworkType(type) && !library && !pair)
        {
            return new ObjectShape(type, [], $"{TypeNames.Of(type)} is a framework type with no canonical key encoding; pass a keyable value or implement {nameof(ICacheKeyWritable)} on a wrapper.");
        }

        // A collection of the user's: its items are its contents; of its members, only those its own
        // (non-framework) types declare are written — Count, Capacity and the like are the framework's.
        bool collection = !library && !pair && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(string);
        var byName = new Dictionary<string, (MemberInfo Member, int Depth)>(StringComparer.Ordinal);
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0 && Keyed(property, collection))
            {
                Keep(byName, property);
            }
        }
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Keyed(field, collection))
            {
                Keep(byName, field);
            }
        }

        var members = new List<ObjectMember>(byName.Count);
        foreach ((string name, (MemberInfo member, _)) in byName)
        {
            if (AIKeyCoverage.Covers(type))
            {
                AIMemberRule rule = AIKeyCoverage.RuleFor(type, name, out _);
                if (rule == AIMemberRule.Excluded)
                {
                    continue;
                }
                if (rule == AIMemberRule.Unlisted && member.DeclaringType is { IsVisible: false } declaring && AIKeyCoverage.IsLibraryType(declaring))
                {
                    // A public member of the library's internal implementation type (the delegate behind a
                    // function made by the factory): the public base it implements is what is keyed.
                    continue;
                }
            }
            Type memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            if (memberType.IsByRefLike)
            {
                return new ObjectShape(type, [], $"{TypeNames.Of(type)}.{name} is a ref struct, which cannot be read for a key; implement {nameof(ICacheKeyWritable)}.");
            }
            members.Add(new ObjectMember(name, Reader(member)));
        }
        members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));

        if (!pair && HiddenField(type, byName) is { } hidden)
        {
            return new ObjectShape(type, [.. members],
                $"{TypeNames.Of(type)} keeps state in the non-public field {hidden}, which its public members may not show, so two different values could share a key; make it a public property, mark it [NotKeyed] if it cannot change an answer, or implement {nameof(ICacheKeyWritable)}.");
        }
        return new ObjectShape(type, [.. members], refusal: null, collection);
    }

    /// <summary>Whether a public member is written: not declared irrelevant, and for a user's collection, declared by a user's type.</summary>
    private static bool Keyed(MemberInfo member, bool collection) =>
        !member.IsDefined(typeof(NotKeyedAttribute), inherit: true)
        && !(collection && member.DeclaringType is { } declaring && IsFrameworkType(declaring));

    /// <summary>Keeps one member per name: the most derived (a member hidden with <c>new</c> is not read).</summary>
    private static void Keep(Dictionary<string, (MemberInfo Member, int Depth)> byName, MemberInfo member)
    {
        int depth = Depth(member.DeclaringType);
        if (!byName.TryGetValue(member.Name, out (MemberInfo Member, int Depth) existing) || existing.Depth < depth)
        {
            byName[member.Name] = (member, depth);
        }
    }

    private static int Depth(Type? type)
    {
        int depth = 0;
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            depth++;
        }
        return depth;
    }

    private static Func<object, object?> Reader(MemberInfo member) => member switch
    {
        PropertyInfo property => property.GetValue,
        FieldInfo field => field.GetValue,
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };

    /// <summary>
    /// A non-public instance field that is not the compiler's backing field of a public property: state
    /// the walker cannot see. Library types covered by the catalogue are exempt (the catalogue is
    /// their contract and the coverage test holds them to it).
    /// </summary>
    private static string? HiddenField(Type type, Dictionary<string, (MemberInfo Member, int Depth)> members)
    {
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            if (AIKeyCoverage.IsLibraryType(t) || IsFrameworkType(t))
            {
                // The catalogue is a library type's contract; a framework base (a List<T> a user's
                // collection derives from) holds the contents, which are written as such.
                continue;
            }
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsDefined(typeof(NotKeyedAttribute), inherit: false))
                {
                    continue;
                }
                if (BackedProperty(field.Name) is not { } property || !members.ContainsKey(property)
                    && !IsNotKeyedProperty(t, property))
                {
                    return field.Name;
                }
            }
        }
        return null;
    }

    private static bool IsNotKeyedProperty(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly) is { } property
        && property.IsDefined(typeof(NotKeyedAttribute), inherit: true);

    /// <summary>The property whose compiler-generated backing field (auto-property, anonymous type) this is.</summary>
    private static string? BackedProperty(string field)
    {
        if (field.Length < 2 || field[0] != '<')
        {
            return null;
        }
        int end = field.IndexOf('>', StringComparison.Ordinal);
        string suffix = field[(end + 1)..];
        return end > 1 && suffix is "k__BackingField" or "i__Field" ? field[1..end] : null;
    }
}
