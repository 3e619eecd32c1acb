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

/// <summary>Everything the emitter needs to write the key builder and interceptors of one cached method.</summary>
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
    EquatableArray<string> Tags);

/// <summary>The result of parsing one [LlmCached] method: a model when it can be cached (the analyzer explains any refusal).</summary>
internal sealed record MethodResult(MethodModel? Model);

/// <summary>One intercepted call: the target method and the encoded location the compiler needs.</summary>
internal sealed record CallSiteModel(string TargetDocId, int Version, string Data, string DisplayFile, int Line, int Column);
