namespace LlmCache.Generators.Model;

/// <summary>How a cached method is called: on an instance, statically, or as a classic extension method.</summary>
internal enum CallKind
{
    Instance,
    Static,
    Extension,
}

/// <summary>The awaitable shape of a cached method's result.</summary>
internal enum ReturnKind
{
    Task,
    ValueTask,
    AsyncEnumerable,
}

/// <summary>What a parameter is to the cache.</summary>
internal enum ParameterRole
{
    Keyed,
    Ignored,
    CancellationToken,
    Control,
    Tenant,
}

/// <summary>Where an interceptor finds the runtime that serves a call.</summary>
internal enum RuntimeAccessKind
{
    Default,
    Member,
    UnsafeField,
    UnsafeStaticField,
    UnsafeProperty,
    UnsafeStaticProperty,
}

/// <summary>One parameter of a cached method.</summary>
/// <remarks><c>IsThis</c> marks the receiver of a classic extension method, keyed like any other parameter unless ignored.</remarks>
internal sealed record ParameterModel(string Name, string TypeText, ParameterRole Role, bool IsParams, bool IsThis, string? ShapeId);

/// <summary>One type parameter of a generic cached method, with its constraint clause (empty when unconstrained).</summary>
internal sealed record TypeParameterModel(string Name, string Constraints);

/// <summary>
/// How the interceptor reaches the runtime. <see cref="Expression"/> is C# over <c>@this</c> for
/// <see cref="RuntimeAccessKind.Member"/>; for the unsafe kinds, <see cref="MemberName"/> and
/// <see cref="DeclaringTypeText"/> drive an <c>UnsafeAccessor</c>.
/// </summary>
internal sealed record RuntimeAccess(RuntimeAccessKind Kind, string Expression, string MemberName, string DeclaringTypeText, string MemberTypeText);

/// <summary>How generated code reads a [CacheKey] member of the receiver.</summary>
internal enum StateAccessKind
{
    /// <summary>Accessible from the interceptor: <c>receiver.Name</c>.</summary>
    Member,

    /// <summary>A private field (or a captured primary-constructor parameter), read through an <c>UnsafeAccessor</c>.</summary>
    UnsafeField,

    /// <summary>A property with a private getter, called through an <c>UnsafeAccessor</c>.</summary>
    UnsafeProperty,
}

/// <summary>
/// One [CacheKey] member of the receiver, written into the key after the arguments. <see cref="AccessorName"/>
/// is the metadata name an <c>UnsafeAccessor</c> binds to (a field, a getter, or a captured parameter's field).
/// </summary>
internal sealed record KeyedStateModel(string Name, string TypeText, string ShapeId, StateAccessKind Access, string AccessorName,
    string DeclaringTypeText);

/// <summary>Everything the emitter needs to write the key builder and interceptors of one cached method.</summary>
/// <remarks><c>ExperimentalIds</c>: the diagnostic ids of [Experimental] APIs its generated code names, suppressed in the generated file.</remarks>
internal sealed record MethodModel(
    string DocId,
    string Id,
    string ContainingTypeText,
    string Name,
    CallKind CallKind,
    ReturnKind ReturnKind,
    string ReturnTypeText,
    string ResultTypeText,
    EquatableArray<TypeParameterModel> TypeParameters,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<TypeShape> Shapes,
    RuntimeAccess Runtime,
    long? TtlTicks,
    string? Namespace,
    EquatableArray<string> Tags,
    EquatableArray<KeyedStateModel> KeyedState,
    bool ReceiverKeysItself,
    EquatableArray<string> ExperimentalIds,
    bool Exported = false,
    long? FailSafeTicks = null,
    long? SoftTimeoutTicks = null,
    long? HardTimeoutTicks = null,
    double? EagerRefresh = null,
    SemanticDeclaration? Semantic = null)
{
    /// <summary>Whether the receiver contributes to the key (its [CacheKey] members, or itself as an <c>ICacheKeyWritable</c>).</summary>
    public bool KeysReceiver => ReceiverKeysItself || KeyedState.Count > 0;
}

/// <summary>How a semantic method's compared text is read: a string parameter, or the last user message of a messages parameter.</summary>
internal enum SemanticKind
{
    Text,
    Messages,
}

/// <summary>The parameter a method compares by meaning, how it is read, and the method's own similarity threshold.</summary>
internal sealed record SemanticDeclaration(string Parameter, SemanticKind Kind, double? Similarity);

/// <summary>The result of parsing one [LlmCached] method: a model when it can be cached (the analyzer explains any refusal).</summary>
internal sealed record MethodResult(MethodModel? Model);

/// <summary>
/// A public [LlmCached] method of a referenced assembly, called here: its call sites are routed to the
/// entry point that assembly's generator exported (<see cref="ExportCall"/>), which keys and caches
/// them as the assembly's own calls. The rest is the interceptor's signature.
/// </summary>
internal sealed record ImportModel(
    string DocId,
    string Name,
    string ExportCall,
    CallKind CallKind,
    string ContainingTypeText,
    string ReturnTypeText,
    EquatableArray<TypeParameterModel> TypeParameters,
    EquatableArray<ParameterModel> Parameters);

/// <summary>One intercepted call: the target method and the encoded location the compiler needs.</summary>
internal sealed record CallSiteModel(string TargetDocId, int Version, string Data, string DisplayFile, int Line, int Column);
