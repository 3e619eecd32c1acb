namespace LlmCache.Generators.Model;

/// <summary>How a value of some type is written into a key.</summary>
internal enum ShapeKind
{
    /// <summary>One call on the key writer: <see cref="TypeShape.Writer"/> holds it with <c>{0}</c> for the value.</summary>
    Direct,
    Nullable,
    Array,
    List,
    Enumerable,
    Map,
    Set,
    Object,
}

/// <summary>A member of an object shape, written in ordinal name order.</summary>
internal sealed record MemberShape(string Name, string ShapeId);

/// <summary>
/// The key encoding of one type, referenced by <see cref="Id"/> from parameters, members and element
/// shapes (so recursive types terminate). <see cref="TypeText"/> is the fully qualified type.
/// <see cref="Polymorphic"/>: the type can be derived from, so a value of another runtime type is
/// keyed by that type (its identity and all its members) rather than as the declared type.
/// <see cref="Members"/> of a collection shape are the extra members of a collection subclass.
/// </summary>
internal sealed record TypeShape(
    string Id,
    ShapeKind Kind,
    string TypeText,
    bool IsReferenceType,
    string? Writer,
    string? ElementId,
    string? ValueId,
    string ElementTypeText,
    string ValueTypeText,
    EquatableArray<MemberShape> Members,
    bool Polymorphic = false);
