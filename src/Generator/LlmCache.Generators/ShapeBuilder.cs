using System.Collections.Generic;
using System.Linq;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Decides, for each parameter type of a cached method, how its values are written into the key, and
/// collects the shapes reached (recursively through elements and members). A type with no canonical
/// encoding yields a reason instead, which becomes diagnostic LLMC004.
/// </summary>
internal sealed class ShapeBuilder
{
    internal static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Compilation _compilation;
    private readonly Dictionary<ITypeSymbol, TypeShape?> _shapes = new(SymbolEqualityComparer.IncludeNullability);
    private readonly List<TypeShape> _ordered = new();
    private readonly INamedTypeSymbol? _keyWritable;
    // Shapes written whole by the runtime's walker because their type keeps hidden state: id → (type, member).
    private readonly Dictionary<string, (string Type, string Member)> _hidden = new(System.StringComparer.Ordinal);
    private int _next;

    public ShapeBuilder(Compilation compilation)
    {
        _compilation = compilation;
        _keyWritable = KnownTypes.For(compilation).KeyWritable;
    }

    public IReadOnlyList<TypeShape> Shapes => _ordered;

    /// <summary>
    /// The first type reached from shape <paramref name="shapeId"/> (itself, its elements, its members,
    /// depth first in key order) that keeps state outside its public members, with the name of that
    /// state; null when there is none. The runtime refuses such a value, so a call with it runs
    /// uncached (diagnostic LLMC015).
    /// </summary>
    public (string Type, string Member)? HiddenStateReachedFrom(string shapeId)
    {
        if (_hidden.Count == 0)
        {
            return null;
        }
        var byId = new Dictionary<string, TypeShape>(System.StringComparer.Ordinal);
        foreach (TypeShape shape in _ordered)
        {
            byId[shape.Id] = shape;
        }
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(shapeId);
        while (pending.Count > 0)
        {
            string id = pending.Pop();
            if (!seen.Add(id))
            {
                continue;
            }
            if (_hidden.TryGetValue(id, out (string Type, string Member) found))
            {
                return found;
            }
            if (!byId.TryGetValue(id, out TypeShape? shape))
            {
                continue;
            }
            // Pushed in reverse so that the element comes first, then the value, then the members in order.
            for (int i = shape.Members.Count - 1; i >= 0; i--)
            {
                pending.Push(shape.Members[i].ShapeId);
            }
            if (shape.ValueId is not null)
            {
                pending.Push(shape.ValueId);
            }
            if (shape.ElementId is not null)
            {
                pending.Push(shape.ElementId);
            }
        }
        return null;
    }

    /// <summary>Returns the shape id for <paramref name="type"/>, or null with <paramref name="reason"/> set.</summary>
    public string? ShapeOf(ITypeSymbol type, out string? reason)
    {
        reason = null;
        if (_shapes.TryGetValue(type, out TypeShape? known))
        {
            if (known is null)
            {
                reason = $"'{type.ToDisplayString()}' is being defined recursively through a type that cannot be keyed";
            }
            return known?.Id;
        }
        return Build(type, out reason);
    }

    private string? Build(ITypeSymbol type, out string? reason)
    {
        reason = null;
        string text = type.ToDisplayString(TypeFormat);
        string display = type.ToDisplayString();
        string plain = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

        string? direct = DirectWriter(type, plain);
        if (direct is not null)
        {
            return Add(type, ShapeKind.Direct, text, writer: direct);
        }

        switch (type)
        {
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                reason = "pointers have no stable value";
                return null;
            case IDynamicTypeSymbol:
                reason = "'dynamic' has no compile-time shape";
                return null;
            case IArrayTypeSymbol array:
                if (array.Rank != 1)
                {
                    reason = "multi-dimensional arrays are not supported";
                    return null;
                }
                return Composite(type, ShapeKind.Array, text, array.ElementType, null, out reason);
        }

        if (type is not INamedTypeSymbol named)
        {
            reason = $"'{display}' has no canonical encoding";
            return null;
        }

        if (named.IsRefLikeType)
        {
            reason = $"'{display}' is a ref struct (a span) and cannot be captured";
            return null;
        }
        if (named.TypeKind == TypeKind.Delegate)
        {
            reason = "a delegate has no value to key";
            return null;
        }
        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return Composite(type, ShapeKind.Nullable, text, named.TypeArguments[0], null, out reason);
        }

        // Collections: dictionaries, then sets, then lists and other sequences.
        INamedTypeSymbol? map = FindInterface(named, "System.Collections.Generic.IDictionary`2")
            ?? FindInterface(named, "System.Collections.Generic.IReadOnlyDictionary`2");
        if (map is not null)
        {
            if (!IsOrderable(map.TypeArguments[0]))
            {
                reason = $"the keys of '{display}' have no natural order ('{map.TypeArguments[0].ToDisplayString()}' is not comparable)";
                return null;
            }
            return Composite(type, ShapeKind.Map, text, map.TypeArguments[0], map.TypeArguments[1], out reason);
        }
        INamedTypeSymbol? set = FindInterface(named, "System.Collections.Generic.ISet`1")
            ?? FindInterface(named, "System.Collections.Generic.IReadOnlySet`1");
        if (set is not null)
        {
            if (!IsOrderable(set.TypeArguments[0]))
            {
                reason = $"the items of '{display}' have no natural order";
                return null;
            }
            return Composite(type, ShapeKind.Set, text, set.TypeArguments[0], null, out reason);
        }
        if (IsIndexedList(named, out ITypeSymbol? listItem))
        {
            return Composite(type, ShapeKind.List, text, listItem!, null, out reason);
        }
        INamedTypeSymbol? sequence = FindInterface(named, "System.Collections.Generic.IEnumerable`1");
        if (sequence is not null)
        {
            return Composite(type, ShapeKind.Enumerable, text, sequence.TypeArguments[0], null, out reason);
        }

        return ObjectShape(named, text, out reason);
    }

    private string? DirectWriter(ITypeSymbol type, string plain)
    {
        if (type is ITypeParameterSymbol)
        {
            // Annotated as declared: a 'T?' argument passed as 'T' would warn (CS8604) in generated code.
            return "{w}.WriteValue<" + type.ToDisplayString(TypeFormat) + ">({0})";
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "{w}.WriteBoolean({0})";
            case SpecialType.System_Char: return "{w}.WriteChar({0})";
            case SpecialType.System_SByte: return "{w}.WriteSByte({0})";
            case SpecialType.System_Byte: return "{w}.WriteByte({0})";
            case SpecialType.System_Int16: return "{w}.WriteInt16({0})";
            case SpecialType.System_UInt16: return "{w}.WriteUInt16({0})";
            case SpecialType.System_Int32: return "{w}.WriteInt32({0})";
            case SpecialType.System_UInt32: return "{w}.WriteUInt32({0})";
            case SpecialType.System_Int64: return "{w}.WriteInt64({0})";
            case SpecialType.System_UInt64: return "{w}.WriteUInt64({0})";
            case SpecialType.System_IntPtr: return "{w}.WriteIntPtr({0})";
            case SpecialType.System_UIntPtr: return "{w}.WriteUIntPtr({0})";
            case SpecialType.System_Single: return "{w}.WriteSingle({0})";
            case SpecialType.System_Double: return "{w}.WriteDouble({0})";
            case SpecialType.System_Decimal: return "{w}.WriteDecimal({0})";
            case SpecialType.System_String: return "{w}.WriteString({0})";
            case SpecialType.System_DateTime: return "{w}.WriteDateTime({0})";
        }
        if (type.TypeKind == TypeKind.Enum)
        {
            return "{w}.WriteEnum<" + plain + ">({0})";
        }
        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte, Rank: 1 })
        {
            return "{w}.WriteBytes({0})";
        }
        switch (plain)
        {
            case "global::System.Guid": return "{w}.WriteGuid({0})";
            case "global::System.DateTimeOffset": return "{w}.WriteDateTimeOffset({0})";
            case "global::System.TimeSpan": return "{w}.WriteTimeSpan({0})";
            case "global::System.DateOnly": return "{w}.WriteDateOnly({0})";
            case "global::System.TimeOnly": return "{w}.WriteTimeOnly({0})";
            case "global::System.Half": return "{w}.WriteHalf({0})";
            case "global::System.Int128": return "{w}.WriteInt128({0})";
            case "global::System.UInt128": return "{w}.WriteUInt128({0})";
            case "global::System.Uri": return "{w}.WriteUri({0})";
            case "global::System.Version": return "{w}.WriteVersion({0})";
            case "global::System.Text.Json.JsonElement": return "{w}.WriteJson({0})";
            case "global::System.ReadOnlyMemory<byte>":
            case "global::System.Memory<byte>": return "{w}.WriteBytes({0}.Span)";
            case "global::System.ReadOnlyMemory<char>":
            case "global::System.Memory<char>": return "{w}.WriteString({0}.Span)";
        }
        if (_keyWritable is not null && Implements(type, _keyWritable))
        {
            return "{w}.WriteCustom<" + plain + ">({0})";
        }
        // Microsoft.Extensions.AI types have hand-written writers that know which fields reach the model.
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            switch (t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
            {
                case "global::Microsoft.Extensions.AI.ChatMessage": return "{w}.WriteChatMessage({0})";
                case "global::Microsoft.Extensions.AI.AIContent": return "{w}.WriteAIContent({0})";
                case "global::Microsoft.Extensions.AI.ChatOptions": return "{w}.WriteChatOptions({0})";
                case "global::Microsoft.Extensions.AI.AITool": return "{w}.WriteAITool({0})";
                // Every property is keyed (AIKeyCoverage), by the runtime's walker, which also keys a derived options type's own.
                case "global::Microsoft.Extensions.AI.EmbeddingGenerationOptions": return "{w}.WriteObject({0})";
            }
        }
        // Provider SDK models: keyed by the JSON they send. A System.ClientModel model writes itself
        // (an abstract message base included: each derived message writes its own data) ...
        if (type is INamedTypeSymbol named && named.TypeKind != TypeKind.TypeParameter)
        {
            // The model interface of the type itself, else of the nearest base class that has one.
            for (ITypeSymbol? level = named; level is not null; level = level.BaseType)
            {
                foreach (INamedTypeSymbol implemented in named.AllInterfaces)
                {
                    if (implemented.OriginalDefinition.ToDisplayString() == "System.ClientModel.Primitives.IJsonModel<T>"
                        && SymbolEqualityComparer.Default.Equals(implemented.TypeArguments[0].OriginalDefinition, level.OriginalDefinition))
                    {
                        return "{w}.WriteJsonModel<" + implemented.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ">({0})";
                    }
                }
            }
            // ... and a model outside the framework with its own [JsonConverter] is written by that converter.
            if (!IsFrameworkType(named) && HasJsonConverter(named))
            {
                return "{w}.WriteJsonValue<" + plain + ">({0})";
            }
        }
        return null;
    }

    private static bool HasJsonConverter(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            foreach (AttributeData attribute in t.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonConverterAttribute")
                {
                    return true;
                }
            }
        }
        return false;
    }

    private string? ObjectShape(INamedTypeSymbol type, string text, out string? reason)
    {
        reason = null;
        string display = type.ToDisplayString();
        if (type.SpecialType == SpecialType.System_Object)
        {
            reason = "'object' has no compile-time shape";
            return null;
        }
        if (type.TypeKind == TypeKind.Interface)
        {
            reason = $"'{display}' is an interface with no key writer";
            return null;
        }
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        bool frameworkType = ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)
            || ns == "Microsoft" || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
        bool tupleLike = type.IsTupleType
            || type.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.KeyValuePair<TKey, TValue>";
        if (frameworkType && !tupleLike)
        {
            reason = $"'{display}' is a framework type with no canonical encoding";
            return null;
        }
        if (type.IsAbstract)
        {
            reason = $"'{display}' is abstract; its derived types' data would be lost";
            return null;
        }
        if (!tupleLike && HiddenState(type) is { } hidden)
        {
            // State its public members may not show (a private field, an internal property, a captured
            // constructor parameter): the runtime's walker decides, and refuses it unless marked, so
            // such a call runs uncached rather than under a key that misses that state.
            string hiddenId = Add(type, ShapeKind.Direct, text, writer: "{w}.WriteObject({0})");
            _hidden[hiddenId] = (display, hidden);
            return hiddenId;
        }

        // Reserve the id before visiting members so recursive types terminate.
        string id = "S" + (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _shapes[type] = new TypeShape(id, ShapeKind.Object, text, type.IsReferenceType, null, null, null, "", "", EquatableArray<MemberShape>.Empty);

        var members = new List<(string Name, ITypeSymbol Type)>();
        var notKeyed = new HashSet<string>(System.StringComparer.Ordinal); // declared irrelevant, here or where it is redeclared
        foreach (ISymbol member in type.GetMembers())
        {
            // Tuple elements are fields; other types contribute their public readable properties.
            if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || member.IsImplicitlyDeclared && !type.IsTupleType)
            {
                continue;
            }
            if (IsNotKeyed(member))
            {
                notKeyed.Add(member.Name);
                continue;
            }
            switch (member)
            {
                case IPropertySymbol { IsIndexer: false, GetMethod: { DeclaredAccessibility: Accessibility.Public } } property
                    when property.Name != "EqualityContract":
                    members.Add((property.Name, property.Type));
                    break;
                case IFieldSymbol { IsConst: false } field when field.CorrespondingTupleField is null || SymbolEqualityComparer.Default.Equals(field.CorrespondingTupleField, field):
                    members.Add((field.Name, field.Type));
                    break;
            }
        }
        // Inherited public properties and fields count too (the runtime walker reads both).
        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object && baseType.SpecialType != SpecialType.System_ValueType; baseType = baseType.BaseType)
        {
            foreach (ISymbol member in baseType.GetMembers())
            {
                if (notKeyed.Contains(member.Name) || IsNotKeyed(member) && notKeyed.Add(member.Name))
                {
                    continue;
                }
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } p
                    && p.Name != "EqualityContract" && !members.Any(m => m.Name == p.Name))
                {
                    members.Add((p.Name, p.Type));
                }
                else if (member is IFieldSymbol { IsStatic: false, IsConst: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public } f
                    && !members.Any(m => m.Name == f.Name))
                {
                    members.Add((f.Name, f.Type));
                }
            }
        }
        if (members.Count == 0)
        {
            _shapes[type] = null;
            reason = $"'{display}' has no public readable properties to key";
            return null;
        }

        var shaped = new List<MemberShape>();
        foreach ((string name, ITypeSymbol memberType) in members.OrderBy(m => m.Name, System.StringComparer.Ordinal))
        {
            if (memberType.ToDisplayString() == "System.Threading.CancellationToken")
            {
                continue;
            }
            string? memberId = ShapeOf(memberType, out string? memberReason);
            if (memberId is null)
            {
                _shapes[type] = null;
                reason = $"member '{name}' of '{type.ToDisplayString()}': {memberReason}";
                return null;
            }
            shaped.Add(new MemberShape(name, memberId));
        }
        // A class that is not sealed may hold a derived instance whose members the declared shape does not know.
        bool polymorphic = type.IsReferenceType && !type.IsSealed;
        var shape = new TypeShape(id, ShapeKind.Object, text, type.IsReferenceType, null, null, null, "", "", shaped.ToEquatableArray(), polymorphic);
        _shapes[type] = shape;
        _ordered.Add(shape);
        return id;
    }

    private bool IsNotKeyed(ISymbol symbol) => KnownTypes.For(_compilation).NotKeyed is { } notKeyed
        && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, notKeyed));

    /// <summary>
    /// The first piece of state a type declared in source keeps outside its public members: a
    /// non-public instance field (an internal or private auto-property's included), or a captured
    /// primary-constructor parameter, that is not marked [NotKeyed]. Types from other assemblies are
    /// not inspected here (their reference assemblies hide private fields); the runtime checks them.
    /// </summary>
    private string? HiddenState(INamedTypeSymbol type)
    {
        bool Marked(ISymbol symbol) => IsNotKeyed(symbol);
        for (INamedTypeSymbol? level = type; level is not null && level.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType);
            level = level.BaseType)
        {
            if (IsFrameworkType(level) || !level.Locations.Any(l => l.IsInSource))
            {
                continue;
            }
            foreach (ISymbol member in level.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } field || Marked(field))
                {
                    continue;
                }
                if (field.AssociatedSymbol is IPropertySymbol property)
                {
                    bool visible = property.DeclaredAccessibility == Accessibility.Public
                        && property.GetMethod is { DeclaredAccessibility: Accessibility.Public };
                    if (!visible && !Marked(property))
                    {
                        return property.Name;
                    }
                    continue;
                }
                if (field.DeclaredAccessibility != Accessibility.Public && !field.IsImplicitlyDeclared)
                {
                    return field.Name;
                }
            }
            if (!level.IsRecord)
            {
                foreach (IMethodSymbol constructor in level.InstanceConstructors)
                {
                    bool primary = constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax);
                    if (!primary)
                    {
                        continue;
                    }
                    foreach (IParameterSymbol parameter in constructor.Parameters)
                    {
                        if (!Marked(parameter) && InstanceState.IsCaptured(level, parameter, _compilation, System.Threading.CancellationToken.None))
                        {
                            return parameter.Name;
                        }
                    }
                }
            }
        }
        return null;
    }

    private string? Composite(ITypeSymbol type, ShapeKind kind, string text, ITypeSymbol element, ITypeSymbol? value, out string? reason)
    {
        string? elementId = ShapeOf(element, out reason);
        if (elementId is null)
        {
            return null;
        }
        string? valueId = null;
        if (value is not null)
        {
            valueId = ShapeOf(value, out reason);
            if (valueId is null)
            {
                return null;
            }
        }
        string id = Add(type, kind, text, null, elementId, valueId, element.ToDisplayString(TypeFormat), value?.ToDisplayString(TypeFormat) ?? "");
        // A collection type of the user's with members of its own (a persona, a title) keys them too.
        if (type is INamedTypeSymbol named && !IsFrameworkType(named) && named.TypeKind != TypeKind.Interface)
        {
            var extra = new List<MemberShape>();
            foreach (IPropertySymbol property in ExtraCollectionMembers(named).OrderBy(p => p.Name, System.StringComparer.Ordinal))
            {
                string? memberId = ShapeOf(property.Type, out string? memberReason);
                if (memberId is null)
                {
                    reason = $"member '{property.Name}' of '{type.ToDisplayString()}': {memberReason}";
                    return null;
                }
                extra.Add(new MemberShape(property.Name, memberId));
            }
            TypeShape shape = _shapes[type]!;
            var widened = shape with
            {
                Members = extra.ToEquatableArray(),
                Polymorphic = named.IsReferenceType && !named.IsSealed,
            };
            _shapes[type] = widened;
            _ordered[_ordered.IndexOf(shape)] = widened;
        }
        return id;
    }

    /// <summary>Public readable properties a user's collection type declares beyond those of the framework collections it derives from.</summary>
    private static IEnumerable<IPropertySymbol> ExtraCollectionMembers(INamedTypeSymbol type)
    {
        var seen = new HashSet<string>();
        for (INamedTypeSymbol? level = type; level is not null && !IsFrameworkType(level); level = level.BaseType)
        {
            foreach (ISymbol member in level.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } p
                    && !p.IsOverride && p.ExplicitInterfaceImplementations.Length == 0 && p.Name != "EqualityContract" && seen.Add(p.Name))
                {
                    yield return p;
                }
            }
        }
    }

    private static bool IsFrameworkType(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)
            || ns == "Microsoft" || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    private string Add(ITypeSymbol type, ShapeKind kind, string text, string? writer = null, string? elementId = null,
        string? valueId = null, string elementText = "", string valueText = "")
    {
        string id = "S" + (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var shape = new TypeShape(id, kind, text, type.IsReferenceType || type is ITypeParameterSymbol { IsValueType: false },
            writer, elementId, valueId, elementText, valueText, EquatableArray<MemberShape>.Empty);
        _shapes[type] = shape;
        _ordered.Add(shape);
        return id;
    }

    private static bool IsIndexedList(INamedTypeSymbol type, out ITypeSymbol? item)
    {
        item = null;
        string definition = type.OriginalDefinition.ToDisplayString();
        if (definition is "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.IReadOnlyList<T>")
        {
            item = type.TypeArguments[0];
            return true;
        }
        return false;
    }

    private bool IsOrderable(ITypeSymbol type)
    {
        if (type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String || type.TypeKind == TypeKind.Enum)
        {
            return true;
        }
        INamedTypeSymbol? comparable = KnownTypes.For(_compilation).Comparable;
        return comparable is not null && type.AllInterfaces.Any(i =>
            SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, comparable)
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));
    }

    private static INamedTypeSymbol? FindInterface(INamedTypeSymbol type, string metadataName)
    {
        if (type.TypeKind == TypeKind.Interface && MetadataName(type.OriginalDefinition) == metadataName)
        {
            return type;
        }
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (MetadataName(candidate.OriginalDefinition) == metadataName)
            {
                return candidate;
            }
        }
        return null;
    }

    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingNamespace.ToDisplayString() + "." + type.MetadataName;

    private static bool Implements(ITypeSymbol type, INamedTypeSymbol @interface) =>
        SymbolEqualityComparer.Default.Equals(type, @interface)
        || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, @interface));
}
