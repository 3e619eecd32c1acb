using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>Turns an [LlmCached] method symbol into a <see cref="MethodModel"/>, or into the diagnostics that explain why it cannot be cached.</summary>
internal static class Parser
{
    /// <summary>Bumped when the generated key encoding changes, so old entries are never misread.</summary>
    private const int KeySchemaVersion = 1;

    /// <summary>The generator's entry: a model when the method can be cached, null otherwise (the analyzer reports why).</summary>
    public static MethodResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        new(Analyze((IMethodSymbol)context.TargetSymbol, context.Attributes[0], context.SemanticModel.Compilation, null, cancellationToken));

    /// <summary>
    /// Checks one [LlmCached] method and builds its model. Every problem goes to <paramref name="report"/>
    /// (the analyzer's); the generator passes none and only needs to know whether a model came out.
    /// </summary>
    /// <remarks>
    /// <paramref name="external"/>: the method is not ours but named by an <c>[assembly: LlmCacheCalls]</c>
    /// attribute (<paramref name="attribute"/>): problems are reported at the attribute, and the receiver
    /// of an instance method is keyed by its public properties of simple types (a client's model and endpoint).
    /// </remarks>
    public static MethodModel? Analyze(IMethodSymbol method, AttributeData attribute, Compilation compilation,
        Action<Diagnostic>? report, CancellationToken cancellationToken, bool external = false)
    {
        Location? attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        Location? methodLocation = external ? attributeLocation : method.Locations.FirstOrDefault();
        string methodName = method.ContainingType.Name + "." + method.Name;
        bool failed = false;

        void Report(DiagnosticDescriptor descriptor, Location? location, params string[] args) =>
            ReportWith(descriptor, location, null, args);

        void ReportWith(DiagnosticDescriptor descriptor, Location? location, ImmutableDictionary<string, string?>? properties, params string[] args)
        {
            failed |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
            report?.Invoke(Diagnostic.Create(descriptor, location ?? methodLocation, properties, args));
        }

        CachedArguments arguments = ReadArguments(attribute);
        string? ttlText = arguments.Ttl;
        string? ns = arguments.Namespace;
        string? tenant = arguments.Tenant;
        string[] ignored = arguments.Ignored;
        string[] tags = arguments.Tags;
        long? ttlTicks = null;
        if (ttlText is not null)
        {
            if (TtlText.TryParse(ttlText, out TimeSpan ttl))
            {
                ttlTicks = ttl.Ticks;
            }
            else
            {
                Report(DiagnosticDescriptors.InvalidTtl, ArgumentLocation(attribute, "Ttl", cancellationToken) ?? attributeLocation, ttlText, "Ttl");
            }
        }
        long? Lifetime(string? text, string name)
        {
            if (text is null)
            {
                return null;
            }
            if (TtlText.TryParse(text, out TimeSpan value))
            {
                return value.Ticks;
            }
            Report(DiagnosticDescriptors.InvalidTtl, ArgumentLocation(attribute, name, cancellationToken) ?? attributeLocation, text, name);
            return null;
        }
        long? failSafeTicks = Lifetime(arguments.FailSafe, "FailSafe");
        long? softTimeoutTicks = Lifetime(arguments.SoftTimeout, "SoftTimeout");
        long? hardTimeoutTicks = Lifetime(arguments.HardTimeout, "HardTimeout");
        double? eagerRefresh = arguments.EagerRefresh is 0 ? null : arguments.EagerRefresh;
        if (eagerRefresh is not (> 0 and < 1) and not null)
        {
            Report(DiagnosticDescriptors.InvalidEagerRefresh, ArgumentLocation(attribute, "EagerRefresh", cancellationToken) ?? attributeLocation,
                eagerRefresh.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            eagerRefresh = null;
        }
        if (ns is not null && !TtlText.IsValidNamespace(ns))
        {
            Report(DiagnosticDescriptors.InvalidNamespace, ArgumentLocation(attribute, "Namespace", cancellationToken) ?? attributeLocation, ns);
        }
        foreach (string name in ignored)
        {
            if (!method.Parameters.Any(p => p.Name == name))
            {
                string? closest = Closest(name, method.Parameters.Select(p => p.Name));
                ReportWith(DiagnosticDescriptors.UnknownIgnoredParameter,
                    ElementLocation(attribute, "IgnoreParams", name, cancellationToken) ?? attributeLocation,
                    ImmutableDictionary<string, string?>.Empty.Add(PropertyValue, name).Add(PropertyClosest, closest),
                    name, methodName, closest is null ? "" : $"; did you mean '{closest}'?");
            }
        }

        if (tenant is not null && !method.Parameters.Any(p => p.Name == tenant))
        {
            string? closest = Closest(tenant, method.Parameters.Select(p => p.Name));
            Report(DiagnosticDescriptors.InvalidTenant, ArgumentLocation(attribute, "Tenant", cancellationToken) ?? attributeLocation,
                tenant, $"'{methodName}' has no parameter of that name" + (closest is null ? "" : $"; did you mean '{closest}'?"));
        }

        SemanticDeclaration? semanticModel = SemanticOf(method, arguments, attribute, attributeLocation, methodName, Report, cancellationToken);

        // Reachability: the interceptor lives outside the type and must be able to call the method.
        string? unreachable = Unreachable(method, compilation);
        if (unreachable is not null)
        {
            Report(DiagnosticDescriptors.UnreachableMethod, methodLocation, methodName, unreachable);
        }

        // Return type.
        ReturnKind returnKind = default;
        ITypeSymbol? result = ResultType(method.ReturnType, ref returnKind);
        if (result is null || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            Report(DiagnosticDescriptors.UncacheableReturnType, methodLocation, methodName, method.ReturnType.ToDisplayString(),
                "return Task<T>, ValueTask<T> or IAsyncEnumerable<T>");
        }
        else if (ResultContract.Refusal(result) is { } refusal)
        {
            Report(DiagnosticDescriptors.UncacheableReturnType, methodLocation, methodName, method.ReturnType.ToDisplayString(), refusal);
        }
        else if (report is not null && ResultContract.Problem(result, cancellationToken) is { } unreadable)
        {
            // Reported, not refused: the application's serializer options may handle the type, and a
            // suppressed report must leave the method cached. Where they do not, the runtime logs once
            // and calls the method uncached. The generator has no use for the answer, so it skips the walk.
            Location? returnTypeLocation = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration
                ? declaration.ReturnType.GetLocation()
                : methodLocation;
            report(Diagnostic.Create(DiagnosticDescriptors.UncacheableReturnType, returnTypeLocation,
                ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.PropertyIntercepted, "true"),
                methodName, method.ReturnType.ToDisplayString(),
                "System.Text.Json cannot read it back, because " + unreadable
                + ". Put [JsonConverter] on the type, or suppress LLMC003 if the application's SerializerOptions read it"));
        }

        // Parameters.
        var shapes = new ShapeBuilder(compilation);

        // A keyed value whose type keeps state outside its public members is refused by the runtime's
        // walker, so the call runs uncached: the same shapes the emitter writes say so (the generator skips the walk).
        void ReportHiddenState(string shapeId, Location? location)
        {
            if (report is not null && shapes.HiddenStateReachedFrom(shapeId) is { } hidden)
            {
                Report(DiagnosticDescriptors.HiddenState, location, hidden.Type, hidden.Member, methodName);
            }
        }

        var parameters = new List<ParameterModel>();
        CallKind callKind = method.IsExtensionMethod ? CallKind.Extension : method.IsStatic ? CallKind.Static : CallKind.Instance;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string typeText = parameter.Type.ToDisplayString(ShapeBuilder.TypeFormat);
            Location? parameterLocation = external ? attributeLocation : parameter.Locations.FirstOrDefault();
            if (parameter.RefKind is not RefKind.None)
            {
                ReportWith(DiagnosticDescriptors.UnkeyableParameter, parameterLocation, ParameterProperty(parameter), "Parameter '" + parameter.Name + "'",
                    $"'{parameter.RefKind.ToString().ToLowerInvariant()}' parameters are not supported", IgnoreAdvice);
                continue;
            }
            ParameterRole role = RoleOf(parameter, arguments);
            string? shapeId = null;
            if (role is ParameterRole.Keyed or ParameterRole.Tenant)
            {
                shapeId = shapes.ShapeOf(parameter.Type, out string? reason);
                if (shapeId is null)
                {
                    ReportWith(DiagnosticDescriptors.UnkeyableParameter, parameterLocation, ParameterProperty(parameter), "Parameter '" + parameter.Name + "'",
                        reason ?? "its type has no canonical encoding", IgnoreAdvice);
                }
                else
                {
                    ReportHiddenState(shapeId, parameterLocation);
                }
            }
            if (parameter.Name == tenant && role != ParameterRole.Tenant)
            {
                Report(DiagnosticDescriptors.InvalidTenant, parameterLocation, tenant, $"'{tenant}' is {(role == ParameterRole.Ignored ? "ignored" : "not a keyable value")}");
            }
            if (parameter.Type.IsRefLikeType && role != ParameterRole.Keyed)
            {
                Report(DiagnosticDescriptors.UnkeyableParameter, parameterLocation, "Parameter '" + parameter.Name + "'", "a ref struct cannot be carried to the method",
                    "Change its type");
            }
            parameters.Add(new ParameterModel(parameter.Name, typeText, role, parameter.IsParams, callKind == CallKind.Extension && parameter.Ordinal == 0, shapeId));
        }

        // Instance state: the receiver's [CacheKey] members (or the receiver itself) enter the key after the arguments.
        KnownTypes known = KnownTypes.For(compilation);
        bool keysItself = callKind == CallKind.Instance && InstanceState.KeysItself(method.ContainingType, known);
        var state = new List<KeyedStateModel>();
        // What the generated code names of other assemblies (the method, its signature, the receiver's keyed properties) may be experimental.
        var experimental = new ExperimentalIds();
        experimental.AddSymbol(method);
        experimental.AddType(method.ReturnType);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            experimental.AddType(parameter.Type);
        }
        if (external && callKind == CallKind.Instance && !keysItself)
        {
            state.AddRange(ReceiverIdentity(method.ContainingType, shapes, experimental));
        }
        else if (callKind == CallKind.Instance)
        {
            foreach (ISymbol member in InstanceState.KeyedMembers(method.ContainingType, known, cancellationToken))
            {
                KeyedStateModel? keyed = KeyedState(member, method.ContainingType, shapes, compilation, cancellationToken, out string? reason);
                if (keyed is null)
                {
                    Report(DiagnosticDescriptors.UnkeyableParameter, member.Locations.FirstOrDefault(), "[CacheKey] member '" + member.Name + "'",
                        reason ?? "its type has no canonical encoding", "Remove [CacheKey] or implement LlmCache.ICacheKeyWritable on its type");
                    continue;
                }
                ReportHiddenState(keyed.ShapeId, member.Locations.FirstOrDefault());
                state.Add(keyed);
            }
        }

        if (failed || result is null)
        {
            return null;
        }

        var typeParameters = method.TypeParameters
            .Select(tp => new TypeParameterModel(tp.Name, ConstraintClause(tp)))
            .ToEquatableArray();
        string containingType = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string returnText = method.ReturnType.ToDisplayString(ShapeBuilder.TypeFormat);
        string resultText = result.ToDisplayString(ShapeBuilder.TypeFormat);
        EquatableArray<TypeShape> shapeArray = shapes.Shapes.ToEquatableArray();
        EquatableArray<ParameterModel> parameterArray = parameters.ToEquatableArray();

        EquatableArray<KeyedStateModel> stateArray = state.ToEquatableArray();
        string fingerprint = Fingerprint(method, returnText, parameterArray, stateArray, keysItself, shapeArray, ResultSchema(result));
        string id = method.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None))
            + "." + method.Name + (method.Arity > 0 ? "`" + method.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")
            + "." + fingerprint;

        var model = new MethodModel(
            method.GetDocumentationCommentId() ?? id,
            id,
            containingType,
            method.Name,
            callKind,
            returnKind,
            returnText,
            resultText,
            typeParameters,
            parameterArray,
            shapeArray,
            FindRuntime(method, compilation, cancellationToken),
            ttlTicks,
            ns,
            tags.ToEquatableArray(),
            stateArray,
            keysItself,
            experimental.ToEquatableArray(),
            Exported: !external && IsEffectivelyPublic(method),
            FailSafeTicks: failSafeTicks,
            SoftTimeoutTicks: softTimeoutTicks,
            HardTimeoutTicks: hardTimeoutTicks,
            EagerRefresh: eagerRefresh,
            Semantic: semanticModel);
        return model;
    }

    /// <summary>
    /// The semantic declaration (<c>Semantic</c>, <c>Similarity</c>) checked: a keyed parameter of text or
    /// chat messages, a similarity above 0 and at most 1, and a method that returns Task or ValueTask.
    /// Null when there is none; every problem is reported as LLMC018.
    /// </summary>
    private static SemanticDeclaration? SemanticOf(IMethodSymbol method, CachedArguments arguments, AttributeData attribute, Location? attributeLocation,
        string methodName, Action<DiagnosticDescriptor, Location?, string[]> report, CancellationToken cancellationToken)
    {
        double? similarity = arguments.Similarity is 0 ? null : arguments.Similarity;
        Location? similarityLocation = ArgumentLocation(attribute, "Similarity", cancellationToken) ?? attributeLocation;
        if (similarity is not null && !(similarity > 0 && similarity <= 1))
        {
            report(DiagnosticDescriptors.InvalidSemantic, similarityLocation,
                [$"Similarity {similarity.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a cosine similarity threshold: use a value above 0 and at most 1, such as 0.9"]);
            return null;
        }
        string? name = arguments.Semantic;
        if (name is null)
        {
            if (similarity is not null)
            {
                report(DiagnosticDescriptors.InvalidSemantic, similarityLocation,
                    [$"Similarity has no effect on '{methodName}' without Semantic: name the parameter compared by meaning, e.g. Semantic = nameof(question)"]);
            }
            return null;
        }
        Location? location = ArgumentLocation(attribute, "Semantic", cancellationToken) ?? attributeLocation;
        IParameterSymbol? parameter = method.Parameters.FirstOrDefault(p => p.Name == name);
        if (parameter is null)
        {
            string? closest = Closest(name, method.Parameters.Select(p => p.Name));
            report(DiagnosticDescriptors.InvalidSemantic, location,
                [$"Semantic names '{name}', but '{methodName}' has no parameter of that name" + (closest is null ? "" : $"; did you mean '{closest}'?")]);
            return null;
        }
        ParameterRole role = RoleOf(parameter, arguments);
        if (role != ParameterRole.Keyed)
        {
            report(DiagnosticDescriptors.InvalidSemantic, location,
                [$"Semantic parameter '{name}' is {(role == ParameterRole.Ignored ? "ignored" : role == ParameterRole.Tenant ? "the tenant" : "not part of the key")}: only a keyed parameter can be compared by meaning"]);
            return null;
        }
        SemanticKind kind;
        if (parameter.Type.SpecialType == SpecialType.System_String)
        {
            kind = SemanticKind.Text;
        }
        else if (IsMessages(parameter.Type))
        {
            kind = SemanticKind.Messages;
        }
        else
        {
            report(DiagnosticDescriptors.InvalidSemantic, location,
                [$"Semantic parameter '{name}' is a {parameter.Type.ToDisplayString()}: only a string, or a sequence of Microsoft.Extensions.AI.ChatMessage (the last user message is compared), can be compared by meaning"]);
            return null;
        }
        if (method.ReturnType is INamedTypeSymbol { Name: "IAsyncEnumerable" })
        {
            report(DiagnosticDescriptors.InvalidSemantic, location,
                [$"'{methodName}' streams its answer: a semantic hit is served only for methods returning Task<T> or ValueTask<T>"]);
            return null;
        }
        return new SemanticDeclaration(name, kind, similarity);
    }

    /// <summary>Whether a type is a sequence of chat messages (IEnumerable&lt;ChatMessage&gt; or a type that implements it).</summary>
    private static bool IsMessages(ITypeSymbol type)
    {
        static bool IsSequence(INamedTypeSymbol candidate) =>
            candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
            && candidate.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::Microsoft.Extensions.AI.ChatMessage";
        return type is INamedTypeSymbol named && IsSequence(named) || type.AllInterfaces.Any(IsSequence);
    }

    /// <summary>The arguments of one [LlmCached] attribute, read once for the parser and the analyzer.</summary>
    internal sealed class CachedArguments
    {
        public CachedArguments(string? ttl, string? ns, string? tenant, string[] ignored, string[] tags, string? failSafe = null,
            string? softTimeout = null, string? hardTimeout = null, double eagerRefresh = 0, string? semantic = null, double similarity = 0)
        {
            Semantic = semantic;
            Similarity = similarity;
            FailSafe = failSafe;
            SoftTimeout = softTimeout;
            HardTimeout = hardTimeout;
            EagerRefresh = eagerRefresh;
            Ttl = ttl;
            Namespace = ns;
            Tenant = tenant;
            Ignored = ignored;
            Tags = tags;
        }

        public string? Ttl { get; }

        public string? Semantic { get; }

        public double Similarity { get; }

        public string? FailSafe { get; }

        public string? SoftTimeout { get; }

        public string? HardTimeout { get; }

        public double EagerRefresh { get; }

        public string? Namespace { get; }

        public string? Tenant { get; }

        public string[] Ignored { get; }

        public string[] Tags { get; }
    }

    /// <summary>Reads the attribute's named arguments (an unset array is empty; empty tags are dropped).</summary>
    internal static CachedArguments ReadArguments(AttributeData attribute)
    {
        string? ttl = null;
        string? failSafe = null;
        string? softTimeout = null;
        string? hardTimeout = null;
        double eagerRefresh = 0;
        string? semantic = null;
        double similarity = 0;
        string? ns = null;
        string? tenant = null;
        string[] ignored = Array.Empty<string>();
        string[] tags = Array.Empty<string>();
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "Ttl": ttl = argument.Value.Value as string; break;
                case "FailSafe": failSafe = argument.Value.Value as string; break;
                case "SoftTimeout": softTimeout = argument.Value.Value as string; break;
                case "HardTimeout": hardTimeout = argument.Value.Value as string; break;
                case "EagerRefresh" when argument.Value.Value is double fraction: eagerRefresh = fraction; break;
                case "Semantic": semantic = argument.Value.Value as string; break;
                case "Similarity" when argument.Value.Value is double threshold: similarity = threshold; break;
                case "Namespace": ns = argument.Value.Value as string; break;
                case "Tenant": tenant = argument.Value.Value as string; break;
                case "IgnoreParams" when !argument.Value.IsNull:
                    ignored = argument.Value.Values.Select(v => v.Value as string ?? "").ToArray();
                    break;
                case "Tags" when !argument.Value.IsNull:
                    tags = argument.Value.Values.Select(v => v.Value as string ?? "").Where(t => t.Length > 0).ToArray();
                    break;
            }
        }
        return new CachedArguments(ttl, ns, tenant, ignored, tags, failSafe, softTimeout, hardTimeout, eagerRefresh, semantic, similarity);
    }

    /// <summary>What a parameter is to the cache, in this order: a token, a control, ignored, the tenant, else keyed.</summary>
    internal static ParameterRole RoleOf(IParameterSymbol parameter, CachedArguments arguments)
    {
        string type = parameter.Type.ToDisplayString();
        if (type == "System.Threading.CancellationToken")
        {
            return ParameterRole.CancellationToken;
        }
        if (type is "LlmCache.CacheControl" or "LlmCache.CacheControl?")
        {
            return ParameterRole.Control;
        }
        if (arguments.Ignored.Contains(parameter.Name)
            || type is "System.ClientModel.Primitives.RequestOptions" or "System.ClientModel.Primitives.RequestOptions?")
        {
            // How a provider SDK sends the request (retries, headers, an error policy), never what it asks.
            return ParameterRole.Ignored;
        }
        return parameter.Name == arguments.Tenant ? ParameterRole.Tenant : ParameterRole.Keyed;
    }

    /// <summary>
    /// What identifies the receiver of a method we do not own: its public readable instance properties
    /// of simple types, declared on it or its base classes (an SDK client's model and endpoint). Two
    /// clients that differ there may answer differently, so they never share an entry.
    /// </summary>
    private static IEnumerable<KeyedStateModel> ReceiverIdentity(INamedTypeSymbol receiver, ShapeBuilder shapes, ExperimentalIds experimental)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<KeyedStateModel>();
        for (INamedTypeSymbol? type = receiver; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public } || !IsSimple(property.Type)
                    || !seen.Add(property.Name))
                {
                    continue;
                }
                if (shapes.ShapeOf(property.Type, out _) is { } shapeId)
                {
                    experimental.AddSymbol(property);
                    experimental.AddType(property.Type);
                    found.Add(new KeyedStateModel(property.Name, property.Type.ToDisplayString(ShapeBuilder.TypeFormat), shapeId,
                        StateAccessKind.Member, property.Name, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
                }
            }
        }
        return found.OrderBy(m => m.Name, StringComparer.Ordinal);
    }

    private static bool IsSimple(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
                return true;
        }
        return type.ToDisplayString() is "System.Uri" or "System.Guid" or "System.TimeSpan";
    }

    private const string IgnoreAdvice = "Add it to IgnoreParams or implement LlmCache.ICacheKeyWritable on its type";

    /// <summary>
    /// How the key builder reads one [CacheKey] member of the receiver: directly when the interceptor
    /// may, else through an UnsafeAccessor (a private field or getter, a captured primary-constructor parameter).
    /// </summary>
    private static KeyedStateModel? KeyedState(ISymbol member, INamedTypeSymbol owner, ShapeBuilder shapes, Compilation compilation,
        CancellationToken cancellationToken, out string? reason)
    {
        reason = null;
        ITypeSymbol type = member switch
        {
            IFieldSymbol f => f.Type,
            IPropertySymbol p => p.Type,
            _ => ((IParameterSymbol)member).Type,
        };
        if (member is IPropertySymbol { GetMethod: null })
        {
            reason = "it has no getter";
            return null;
        }
        if (member is IParameterSymbol parameter && !InstanceState.IsCaptured(owner, parameter, compilation, cancellationToken))
        {
            reason = "the primary-constructor parameter is only copied into an initializer; mark the member it initializes";
            return null;
        }
        string? shapeId = shapes.ShapeOf(type, out reason);
        if (shapeId is null)
        {
            return null;
        }
        string typeText = type.ToDisplayString(ShapeBuilder.TypeFormat);
        string declaring = member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        switch (member)
        {
            case IFieldSymbol field when compilation.IsSymbolAccessibleWithin(field, compilation.Assembly):
            case IPropertySymbol property when compilation.IsSymbolAccessibleWithin(property.GetMethod!, compilation.Assembly):
                return new KeyedStateModel(member.Name, typeText, shapeId, StateAccessKind.Member, member.Name, declaring);
        }
        if (member.ContainingType.IsGenericType)
        {
            reason = "it is private to a generic base type, which generated code cannot read";
            return null;
        }
        return member switch
        {
            IFieldSymbol => new KeyedStateModel(member.Name, typeText, shapeId, StateAccessKind.UnsafeField, member.Name, declaring),
            IPropertySymbol property => new KeyedStateModel(member.Name, typeText, shapeId, StateAccessKind.UnsafeProperty, property.GetMethod!.Name, declaring),
            // The compiler stores a captured primary-constructor parameter in a field named <name>P.
            _ => new KeyedStateModel(member.Name, typeText, shapeId, StateAccessKind.UnsafeField, "<" + member.Name + ">P", declaring),
        };
    }

    private const string PropertyValue = DiagnosticDescriptors.PropertyValue;
    private const string PropertyClosest = DiagnosticDescriptors.PropertyClosest;

    internal static ImmutableDictionary<string, string?> ParameterProperty(IParameterSymbol parameter) =>
        ImmutableDictionary<string, string?>.Empty.Add(PropertyValue, parameter.Name);

    private static ITypeSymbol? ResultType(ITypeSymbol returnType, ref ReturnKind kind)
    {
        if (returnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named)
        {
            return null;
        }
        switch (named.OriginalDefinition.ToDisplayString())
        {
            case "System.Threading.Tasks.Task<TResult>": kind = ReturnKind.Task; break;
            case "System.Threading.Tasks.ValueTask<TResult>": kind = ReturnKind.ValueTask; break;
            case "System.Collections.Generic.IAsyncEnumerable<T>": kind = ReturnKind.AsyncEnumerable; break;
            default: return null;
        }
        ITypeSymbol result = named.TypeArguments[0];
        return result.IsRefLikeType || result.TypeKind == TypeKind.Pointer ? null : result;
    }

    private static string? Unreachable(IMethodSymbol method, Compilation compilation)
    {
        if (!compilation.IsSymbolAccessibleWithin(method, compilation.Assembly))
        {
            return "it is private or protected, so the generated interceptor cannot call it; make it internal or public";
        }
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return "it is declared in a generic type, which interceptors cannot target; move it to a non-generic type";
            }
        }
        if (method.ContainingType.IsValueType && !method.IsStatic)
        {
            return "it is an instance method of a struct; make it static or move it to a class";
        }
        // Generated code lives in another file: it cannot name a file-local type, nor anything nested in one
        // (a file-local type in the signature needs a file-local containing type, so this covers those too).
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsFileLocal)
            {
                return "it is declared in a file-local type";
            }
        }
        if (method.MethodKind != MethodKind.Ordinary)
        {
            return "only ordinary methods can be cached";
        }
        if (!method.ContainingType.CanBeReferencedByName)
        {
            return "C# 14 extension block members cannot be intercepted yet; use a classic extension method";
        }
        foreach (ITypeParameterSymbol typeParameter in method.TypeParameters)
        {
            if (GeneratedNames.IsTakenInMethodScope(typeParameter.Name))
            {
                return $"its type parameter '{typeParameter.Name}' has a name the generated code declares inside the method's copy "
                    + "(s, ct, w, v, i, item, M, W, F, S0…, W0…, State_…, Llmc…); rename the type parameter";
            }
        }
        return null;
    }

    /// <summary>
    /// Finds the runtime an instance holds: a field or property of type LlmCacheRuntime (its own or
    /// inherited), or a captured primary-constructor parameter. Static methods use a static member.
    /// </summary>
    private static RuntimeAccess FindRuntime(IMethodSymbol method, Compilation compilation, CancellationToken cancellationToken)
    {
        var defaultAccess = new RuntimeAccess(RuntimeAccessKind.Default, "", "", "", "");
        INamedTypeSymbol? runtimeType = KnownTypes.For(compilation).Runtime;
        if (runtimeType is null)
        {
            return defaultAccess;
        }
        bool instance = !method.IsStatic;
        INamedTypeSymbol owner = method.ContainingType;
        for (INamedTypeSymbol? type = owner; type is not null; type = type.BaseType)
        {
            foreach (ISymbol member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared || (!instance && !member.IsStatic))
                {
                    continue;
                }
                ITypeSymbol? memberType = member switch
                {
                    IFieldSymbol f => f.Type,
                    IPropertySymbol { IsIndexer: false, GetMethod: not null } p => p.Type,
                    _ => null,
                };
                if (memberType is null || !SymbolEqualityComparer.Default.Equals(memberType, runtimeType))
                {
                    continue;
                }
                string declaring = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                string typeText = memberType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                ISymbol readable = member is IPropertySymbol prop ? prop.GetMethod! : member;
                if (compilation.IsSymbolAccessibleWithin(readable, compilation.Assembly))
                {
                    string target = member.IsStatic ? declaring : "@this";
                    return new RuntimeAccess(RuntimeAccessKind.Member, target + "." + EscapeIdentifier(member.Name), member.Name, declaring, typeText);
                }
                RuntimeAccessKind kind = (member, member.IsStatic) switch
                {
                    (IFieldSymbol, false) => RuntimeAccessKind.UnsafeField,
                    (IFieldSymbol, true) => RuntimeAccessKind.UnsafeStaticField,
                    (_, false) => RuntimeAccessKind.UnsafeProperty,
                    _ => RuntimeAccessKind.UnsafeStaticProperty,
                };
                string name = member is IPropertySymbol property ? property.GetMethod!.Name : member.Name;
                return new RuntimeAccess(kind, "", name, declaring, typeText);
            }
        }
        if (instance)
        {
            string? captured = CapturedPrimaryParameter(owner, runtimeType, compilation, cancellationToken);
            if (captured is not null)
            {
                // The compiler stores a captured primary-constructor parameter in a field named <name>P.
                return new RuntimeAccess(RuntimeAccessKind.UnsafeField, "", "<" + captured + ">P",
                    owner.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), runtimeType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            }
        }
        return defaultAccess;
    }

    private static string? CapturedPrimaryParameter(INamedTypeSymbol type, INamedTypeSymbol runtimeType, Compilation compilation, CancellationToken cancellationToken)
    {
        if (type.IsRecord)
        {
            return null; // a record's primary parameters are public properties, found above
        }
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax { ParameterList: { } list })
            {
                continue;
            }
            SemanticModel model = compilation.GetSemanticModel(reference.SyntaxTree);
            foreach (ParameterSyntax parameterSyntax in list.Parameters)
            {
                if (model.GetDeclaredSymbol(parameterSyntax, cancellationToken) is not IParameterSymbol parameter
                    || !SymbolEqualityComparer.Default.Equals(parameter.Type, runtimeType))
                {
                    continue;
                }
                if (InstanceState.IsCaptured(type, parameter, compilation, cancellationToken))
                {
                    return parameter.Name;
                }
            }
        }
        return null;
    }

    /// <summary>Public, in public types all the way out: other assemblies can call it.</summary>
    internal static bool IsEffectivelyPublic(IMethodSymbol method)
    {
        if (method.DeclaredAccessibility != Accessibility.Public)
        {
            return false;
        }
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }
        return true;
    }

    internal static string ConstraintClause(ITypeParameterSymbol tp)
    {
        var parts = new List<string>();
        if (tp.HasReferenceTypeConstraint)
        {
            parts.Add(tp.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        }
        if (tp.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (tp.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        if (tp.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }
        parts.AddRange(tp.ConstraintTypes.Select(t => t.ToDisplayString(ShapeBuilder.TypeFormat)));
        if (tp.HasConstructorConstraint)
        {
            parts.Add("new()");
        }
        if (tp.AllowsRefLikeType)
        {
            parts.Add("allows ref struct");
        }
        return parts.Count == 0 ? "" : "where " + tp.Name + " : " + string.Join(", ", parts);
    }

    /// <summary>
    /// The signature fingerprint: a hash of everything that decides what a key means (parameters and
    /// their roles, the key shapes, the result type and its schema), so overloads and changed
    /// signatures never read each other's entries.
    /// </summary>
    private static string Fingerprint(IMethodSymbol method, string returnText, EquatableArray<ParameterModel> parameters,
        EquatableArray<KeyedStateModel> state, bool keysItself, EquatableArray<TypeShape> shapes, string resultSchema)
    {
        var text = new StringBuilder();
        text.Append("schema=").Append(KeySchemaVersion).Append('\n');
        text.Append(method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).Append('.').Append(method.Name)
            .Append('`').Append(method.Arity).Append('\n');
        text.Append("returns ").Append(returnText).Append(' ').Append(resultSchema).Append('\n');
        foreach (ParameterModel p in parameters)
        {
            text.Append(p.Role).Append(' ').Append(p.TypeText).Append(' ').Append(p.Name).Append(' ').Append(p.ShapeId).Append('\n');
        }
        // Appended only when present, so methods without instance state keep their ids (and entries).
        if (keysItself)
        {
            text.Append("receiver keys itself\n");
        }
        foreach (KeyedStateModel m in state)
        {
            text.Append("state ").Append(m.TypeText).Append(' ').Append(m.Name).Append(' ').Append(m.ShapeId).Append('\n');
        }
        foreach (TypeShape s in shapes)
        {
            text.Append(s.Id).Append(' ').Append(s.Kind).Append(' ').Append(s.TypeText).Append(' ').Append(s.Writer)
                .Append(' ').Append(s.ElementId).Append(' ').Append(s.ValueId);
            foreach (MemberShape m in s.Members)
            {
                text.Append(' ').Append(m.Name).Append('=').Append(m.ShapeId);
            }
            text.Append('\n');
        }
        using SHA256 sha = SHA256.Create();
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        var hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++)
        {
            hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return hex.ToString();
    }

    /// <summary>The public shape of the result type (properties, recursively, to a small depth), so a changed DTO changes the fingerprint.</summary>
    private static string ResultSchema(ITypeSymbol type)
    {
        var text = new StringBuilder();
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        void Visit(ITypeSymbol t, int depth)
        {
            text.Append(t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            if (depth > 3 || !seen.Add(t) || t.SpecialType != SpecialType.None || t is not INamedTypeSymbol named || named.TypeKind == TypeKind.Enum)
            {
                return;
            }
            string ns = named.ContainingNamespace?.ToDisplayString() ?? "";
            if (ns.StartsWith("System", StringComparison.Ordinal))
            {
                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    text.Append('<');
                    Visit(argument, depth + 1);
                    text.Append('>');
                }
                return;
            }
            text.Append('{');
            foreach (IPropertySymbol p in named.GetMembers().OfType<IPropertySymbol>()
                .Where(p => !p.IsStatic && p.DeclaredAccessibility == Accessibility.Public).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                text.Append(p.Name).Append(':');
                Visit(p.Type, depth + 1);
                text.Append(';');
            }
            text.Append('}');
        }
        Visit(type, 0);
        return text.ToString();
    }

    internal static Location? ArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken) =>
        Argument(attribute, name, cancellationToken)?.GetLocation();

    /// <summary>The location of one string in an array argument (an IgnoreParams entry), or of the argument.</summary>
    internal static Location? ElementLocation(AttributeData attribute, string name, string value, CancellationToken cancellationToken)
    {
        AttributeArgumentSyntax? argument = Argument(attribute, name, cancellationToken);
        LiteralExpressionSyntax? literal = argument?.Expression.DescendantNodesAndSelf().OfType<LiteralExpressionSyntax>()
            .FirstOrDefault(l => l.Token.ValueText == value);
        return literal?.GetLocation() ?? argument?.GetLocation();
    }

    private static AttributeArgumentSyntax? Argument(AttributeData attribute, string name, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } list }
            ? list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)
            : null;

    internal static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    internal static string EscapeIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
