using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Whether System.Text.Json certainly cannot store a result type and read it back, whatever the data:
/// the cache then never holds an answer. It follows the serializer's own rules (a class is built
/// through its public parameterless constructor, else its [JsonConstructor], else its single public
/// constructor, whose parameters must each bind to a member; an interface or abstract class needs
/// polymorphism metadata; no two members may share a JSON name) and reports only what fails under
/// any serializer options: a type or member with [JsonConverter], a framework or
/// Microsoft.Extensions.AI type, a collection type, and anything the options could change (naming
/// policies, case-insensitive names, fields) are left alone. A member that may be null is not
/// followed, since a null value round-trips whatever its type. Provider SDK models built on
/// System.ClientModel (a type that is its own <c>IJsonModel&lt;T&gt;</c>) read themselves, which the
/// runtime lets them do, and a <c>ClientResult&lt;T&gt;</c> is read as its value.
/// </summary>
internal static class ResultContract
{
    /// <summary>Result types nest rarely deeper; past this the check gives up rather than guess.</summary>
    private const int MaxDepth = 8;

    private const string SerializationNamespace = "System.Text.Json.Serialization";

    private const string ClientModelNamespace = "System.ClientModel";

    /// <summary>
    /// Why the result is refused outright, or null: a non-generic <c>ClientResult</c> holds only the
    /// provider's raw response, with no value for the cache to keep and hand back.
    /// </summary>
    public static string? Refusal(ITypeSymbol result) =>
        IsBareClientResult(result)
            ? "a ClientResult holds only the provider's raw response, with no value to store; return ClientResult<T> or the model itself"
            : null;

    /// <summary>Why <paramref name="result"/> cannot be read back from the cache, or null when it may be.</summary>
    public static string? Problem(ITypeSymbol result, CancellationToken cancellationToken)
    {
        if (result.SpecialType == SpecialType.System_Object || result.TypeKind == TypeKind.Dynamic)
        {
            return "'object' is read back as a JsonElement, not as the value that was stored";
        }
        var visiting = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        return Check(result, Display(result), 0, visiting, cancellationToken);
    }

    private static string? Check(ITypeSymbol type, string path, int depth, HashSet<ITypeSymbol> visiting, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (depth > MaxDepth)
        {
            return null;
        }
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        if (type is IArrayTypeSymbol array)
        {
            return array.Rank == 1 && MayFollow(array.ElementType, array.ElementNullableAnnotation)
                ? Check(array.ElementType, path + "[]", depth + 1, visiting, cancellationToken)
                : null;
        }
        if (type is not INamedTypeSymbol named || named.TypeKind == TypeKind.Error || HasConverter(named))
        {
            return null;
        }
        string? unsupported = Unsupported(named);
        if (unsupported is not null)
        {
            return At(unsupported, path, depth);
        }
        if (IsModel(named))
        {
            return null; // it reads and writes itself
        }
        if (IsClientResult(named, out ITypeSymbol? value, out NullableAnnotation valueAnnotation))
        {
            return MayFollow(value, valueAnnotation) ? Check(value, path + ".Value", depth + 1, visiting, cancellationToken) : null;
        }
        if (IsBareClientResult(named))
        {
            return At("'ClientResult' holds only a raw response, no value to store", path, depth);
        }
        if (IsFramework(named))
        {
            // Framework collections are read by built-in converters; their items still have to be readable.
            ITypeSymbol? item = Item(named, out NullableAnnotation annotation);
            return item is not null && MayFollow(item, annotation) ? Check(item, path + "[]", depth + 1, visiting, cancellationToken) : null;
        }
        if (!visiting.Add(named) || named.TypeKind == TypeKind.Enum || Item(named, out _) is not null)
        {
            // A cycle is decided by the members already being checked; a collection type of the
            // application's own is read by the collection rules, which the options may change.
            return null;
        }
        if (named.TypeKind == TypeKind.Interface || (named.TypeKind == TypeKind.Class && named.IsAbstract))
        {
            return IsPolymorphic(named)
                ? null
                : At($"'{Display(named)}' is {(named.TypeKind == TypeKind.Interface ? "an interface" : "an abstract class")} without [JsonPolymorphic] or [JsonDerivedType], so it cannot be created", path, depth);
        }
        if (!IsWhollyVisible(named) || named.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            // A type of a referenced assembly may rely on members the compiler does not see (a private
            // [JsonConstructor]), unless that assembly cannot carry any serializer attribute at all.
            return null;
        }

        List<ISymbol> members = Members(named);
        IMethodSymbol? constructor = null;
        string? problem = Constructor(named, members, out constructor) ?? Clash(named, members);
        if (problem is not null)
        {
            return At(problem, path, depth);
        }
        foreach (ISymbol member in members)
        {
            if (member is not IPropertySymbol property || HasAttribute(property, "JsonConverterAttribute")
                || !IsRead(property, constructor) || !MayFollow(property.Type, property.NullableAnnotation))
            {
                continue;
            }
            problem = Check(property.Type, path + "." + property.Name, depth + 1, visiting, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary>
    /// The serializer's constructor rule: the public parameterless constructor, else the [JsonConstructor],
    /// else the single public constructor (a struct without [JsonConstructor] uses its default value);
    /// every parameter of the chosen one must bind, by name and ignoring case, to a member it reads.
    /// </summary>
    private static string? Constructor(INamedTypeSymbol type, List<ISymbol> members, out IMethodSymbol? chosen)
    {
        chosen = null;
        IMethodSymbol[] annotated = type.InstanceConstructors.Where(c => HasAttribute(c, "JsonConstructorAttribute")).ToArray();
        IMethodSymbol[] open = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToArray();
        if (annotated.Length > 1)
        {
            return null; // the serializer refuses this too, but says so itself; nothing to add
        }
        if (annotated.Length == 1)
        {
            chosen = annotated[0];
        }
        else if (type.TypeKind == TypeKind.Struct || open.Any(c => c.Parameters.Length == 0))
        {
            return null;
        }
        else if (open.Length == 1)
        {
            chosen = open[0];
        }
        else
        {
            return $"'{Display(type)}' has {(open.Length == 0 ? "no public constructor" : open.Length + " public constructors")}, none without parameters and none marked [JsonConstructor], so it cannot be created";
        }
        if (!AllWhollyVisible(type))
        {
            return null; // a member the parameter binds to may live in a base type whose private members are not visible
        }
        foreach (IParameterSymbol parameter in chosen.Parameters)
        {
            if (!members.Any(m => Binds(m, parameter.Name)))
            {
                return $"the constructor parameter '{parameter.Name}' of '{Display(type)}' matches no property, so the constructor cannot be used";
            }
        }
        return null;
    }

    /// <summary>Two members given the same name by [JsonPropertyName]: the serializer refuses the type whatever its options.</summary>
    private static string? Clash(INamedTypeSymbol type, List<ISymbol> members)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ISymbol member in members)
        {
            if (HasAttribute(member, "JsonIgnoreAttribute") || (member is IFieldSymbol && !HasAttribute(member, "JsonIncludeAttribute"))
                || JsonName(member) is not { } name)
            {
                continue;
            }
            if (names.TryGetValue(name, out string? other))
            {
                return $"'{Display(type)}' gives both '{other}' and '{member.Name}' the JSON name '{name}'";
            }
            names.Add(name, member.Name);
        }
        return null;
    }

    /// <summary>The instance properties and fields the serializer may see, most derived first; a hidden or overridden member is seen once.</summary>
    private static List<ISymbol> Members(INamedTypeSymbol type)
    {
        var members = new List<ISymbol>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (INamedTypeSymbol? level = type; level is not null && level.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); level = level.BaseType)
        {
            foreach (ISymbol member in level.GetMembers())
            {
                bool candidate = member switch
                {
                    IPropertySymbol p => !p.IsStatic && !p.IsIndexer,
                    IFieldSymbol f => !f.IsStatic && !f.IsImplicitlyDeclared && !f.IsConst,
                    _ => false,
                };
                if (candidate && (member.DeclaredAccessibility == Accessibility.Public || HasAttribute(member, "JsonIncludeAttribute"))
                    && seen.Add(member.Name))
                {
                    members.Add(member);
                }
            }
        }
        return members;
    }

    /// <summary>Whether a constructor parameter binds to the member: its name or its JSON name, ignoring case (public fields count, as the options may include them).</summary>
    private static bool Binds(ISymbol member, string parameter) =>
        string.Equals(member.Name, parameter, StringComparison.OrdinalIgnoreCase)
        || string.Equals(JsonName(member), parameter, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the serializer writes a value into the property on reading: a public setter, [JsonInclude], or a constructor parameter.</summary>
    private static bool IsRead(IPropertySymbol property, IMethodSymbol? constructor)
    {
        if (HasAttribute(property, "JsonIgnoreAttribute") || property.GetMethod is null)
        {
            return false;
        }
        return property.SetMethod is { DeclaredAccessibility: Accessibility.Public }
            || HasAttribute(property, "JsonIncludeAttribute")
            || (constructor is not null && constructor.Parameters.Any(p => Binds(property, p.Name)));
    }

    /// <summary>A value that may be null round-trips as null whatever its type: only values declared non-null are followed.</summary>
    private static bool MayFollow(ITypeSymbol type, NullableAnnotation annotation) =>
        type.IsValueType
            ? type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T
            : annotation == NullableAnnotation.NotAnnotated;

    /// <summary>Types the serializer refuses outright, on writing and on reading.</summary>
    private static string? Unsupported(INamedTypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Delegate)
        {
            return $"'{Display(type)}' is a delegate, which System.Text.Json does not serialize";
        }
        if (type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            return $"'{Display(type)}' is a native pointer-sized integer, which System.Text.Json does not serialize";
        }
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() is "System.Type" or "System.Reflection.MemberInfo" or "System.Reflection.ParameterInfo")
            {
                return $"'{Display(type)}' is reflection metadata, which System.Text.Json does not serialize";
            }
        }
        return null;
    }

    /// <summary>The item type of a collection (the value of a dictionary), or null when the type is not one.</summary>
    private static ITypeSymbol? Item(INamedTypeSymbol type, out NullableAnnotation annotation)
    {
        annotation = NullableAnnotation.None;
        INamedTypeSymbol? enumerable = null;
        bool collection = false;
        foreach (INamedTypeSymbol candidate in type.AllInterfaces.Prepend(type))
        {
            string name = candidate.OriginalDefinition.ToDisplayString();
            if (name == "System.Collections.Generic.IEnumerable<T>")
            {
                enumerable = candidate;
            }
            collection |= name == "System.Collections.IEnumerable";
        }
        if (enumerable is null)
        {
            return collection ? type : null; // an untyped collection: nothing to follow, but a collection all the same
        }
        ITypeSymbol item = enumerable.TypeArguments[0];
        annotation = enumerable.TypeArgumentNullableAnnotations[0];
        if (item is INamedTypeSymbol { IsGenericType: true } pair && pair.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.KeyValuePair<TKey, TValue>")
        {
            annotation = pair.TypeArgumentNullableAnnotations[1];
            return pair.TypeArguments[1];
        }
        return item;
    }

    /// <summary>The framework's and Microsoft's own types, Microsoft.Extensions.AI's among them: their serialization is theirs.</summary>
    private static bool IsFramework(INamedTypeSymbol type)
    {
        INamespaceSymbol? root = type.ContainingNamespace;
        while (root is { ContainingNamespace.IsGlobalNamespace: false })
        {
            root = root.ContainingNamespace;
        }
        return root is { Name: "System" or "Microsoft" };
    }

    private static bool IsPolymorphic(INamedTypeSymbol type) =>
        HasAttribute(type, "JsonPolymorphicAttribute") || HasAttribute(type, "JsonDerivedTypeAttribute");

    /// <summary>A converter on the type or on a base type: the application decides how it is read.</summary>
    private static bool HasConverter(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (HasAttribute(t, "JsonConverterAttribute"))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether everything the serializer could use on the type is visible here: it is declared in
    /// source, or its assembly is an implementation (not a reference) assembly that does not reference
    /// System.Text.Json, so no member of it, hidden or not, carries a serializer attribute and the
    /// serializer can only use what is public.
    /// </summary>
    private static bool IsWhollyVisible(INamedTypeSymbol type)
    {
        if (type.Locations.Any(l => l.IsInSource))
        {
            return true;
        }
        IAssemblySymbol? assembly = type.ContainingAssembly;
        if (assembly is null || assembly.GetAttributes().Any(a => a.AttributeClass is { Name: "ReferenceAssemblyAttribute" } attribute
            && attribute.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices"))
        {
            return false;
        }
        foreach (IModuleSymbol module in assembly.Modules)
        {
            if (module.ReferencedAssemblies.Any(r => r.Name == "System.Text.Json"))
            {
                return false;
            }
        }
        return true;
    }

    private static bool AllWhollyVisible(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            if (!IsWhollyVisible(t))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A provider SDK model: it implements System.ClientModel's <c>IJsonModel</c> of itself, and can be
    /// created (an abstract one names the proxy it is read through). The runtime's rule, mirrored.
    /// </summary>
    private static bool IsModel(INamedTypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Interface || (type.IsAbstract && !type.GetAttributes().Any(a =>
                a.AttributeClass is { Name: "PersistableModelProxyAttribute" } attribute && IsClientModel(attribute, "System.ClientModel.Primitives"))))
        {
            return false;
        }
        return type.AllInterfaces.Any(i => i.Name == "IJsonModel" && i.TypeArguments.Length == 1 && IsClientModel(i, "System.ClientModel.Primitives")
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));
    }

    /// <summary>System.ClientModel's <c>ClientResult&lt;T&gt;</c>, with its value type.</summary>
    private static bool IsClientResult(INamedTypeSymbol type, out ITypeSymbol value, out NullableAnnotation annotation)
    {
        if (type is { Name: "ClientResult", TypeArguments.Length: 1 } && IsClientModel(type, ClientModelNamespace))
        {
            value = type.TypeArguments[0];
            annotation = type.TypeArgumentNullableAnnotations[0];
            return true;
        }
        value = type;
        annotation = NullableAnnotation.None;
        return false;
    }

    /// <summary>System.ClientModel's non-generic <c>ClientResult</c>: a raw response and nothing else.</summary>
    private static bool IsBareClientResult(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "ClientResult", TypeArguments.Length: 0 } named && IsClientModel(named, ClientModelNamespace);

    private static bool IsClientModel(INamedTypeSymbol type, string ns) => type.ContainingNamespace?.ToDisplayString() == ns;

    private static string? JsonName(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (IsSerializationAttribute(attribute.AttributeClass, "JsonPropertyNameAttribute")
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name)
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>Whether the symbol carries the System.Text.Json attribute (or one derived from it, as custom converter attributes are).</summary>
    private static bool HasAttribute(ISymbol symbol, string name)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            for (INamedTypeSymbol? t = attribute.AttributeClass; t is not null; t = t.BaseType)
            {
                if (IsSerializationAttribute(t, name))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool IsSerializationAttribute(INamedTypeSymbol? type, string name) =>
        type is not null && type.Name == name && type.ContainingNamespace?.ToDisplayString() == SerializationNamespace;

    private static string At(string problem, string path, int depth) => depth == 0 ? problem : problem + " (at " + path + ")";

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
