using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Every diagnostic LlmCache reports, each with its help link (<c>docs/diagnostics/LLMCnnn.md</c>;
/// a test holds every descriptor to it and to its page). Written as plain initializers so that the
/// release-tracking analyzers can read them. Ids are never reused; a retired one stays here as a comment.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "LlmCache";
    private const string HelpLinkBase = "https://github.com/llmcache/llmcache/blob/main/docs/diagnostics/";

    /// <summary>Diagnostic property: the IgnoreParams entry or parameter a code fix acts on.</summary>
    public const string PropertyValue = "Value";

    /// <summary>Diagnostic property (LLMC014): "true" when the member's type can be keyed, so [CacheKey] is a fix.</summary>
    public const string PropertyKeyable = "Keyable";

    /// <summary>Diagnostic property (LLMC011): the cached method's documentation id.</summary>
    public const string PropertyDocId = "DocId";

    /// <summary>Diagnostic property (LLMC011): "true" when the generator writes the method's interceptors, "false" when it refuses it.</summary>
    public const string PropertyCached = "Cached";

    /// <summary>Diagnostic property (LLMC011): the number of intercepted call sites.</summary>
    public const string PropertyCallSites = "CallSites";

    /// <summary>
    /// Diagnostic property (LLMC003): "true" when the generator still intercepts the method. A result
    /// System.Text.Json cannot read back is reported but not refused, so that suppressing the report
    /// (the application's serializer options handle the type) leaves the method cached.
    /// </summary>
    public const string PropertyIntercepted = "Intercepted";

    /// <summary>Diagnostic property: the closest parameter name, when there is one.</summary>
    public const string PropertyClosest = "Closest";

    /// <summary>LLMC001: an IgnoreParams entry names no parameter of the method.</summary>
    public static readonly DiagnosticDescriptor UnknownIgnoredParameter = new DiagnosticDescriptor(
        "LLMC001",
        "IgnoreParams names a parameter that does not exist",
        "IgnoreParams names '{0}', but '{1}' has no parameter of that name{2}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC001.md");

    /// <summary>LLMC002: the Ttl does not parse, or is zero or negative.</summary>
    public static readonly DiagnosticDescriptor InvalidTtl = new DiagnosticDescriptor(
        "LLMC002",
        "A lifetime (Ttl, FailSafe, SoftTimeout, HardTimeout) is not valid",
        "{1} '{0}' is not a lifetime: use 30s, 15m, 2h, 7d or [d.]hh:mm:ss, greater than zero",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC002.md");

    /// <summary>
    /// LLMC003: the return type cannot be cached: it has no awaitable result, or a result with no value
    /// (a non-generic <c>ClientResult</c>), or System.Text.Json cannot read the result back (then
    /// <see cref="PropertyIntercepted"/> is "true"; System.ClientModel models read themselves and are not reported).
    /// </summary>
    public static readonly DiagnosticDescriptor UncacheableReturnType = new DiagnosticDescriptor(
        "LLMC003",
        "The return type cannot be cached",
        "'{0}' returns '{1}', which cannot be cached: {2}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC003.md");

    /// <summary>LLMC004: a parameter, or a [CacheKey] member of the receiver, cannot be keyed.</summary>
    public static readonly DiagnosticDescriptor UnkeyableParameter = new DiagnosticDescriptor(
        "LLMC004",
        "A parameter cannot be part of the cache key",
        "{0} cannot be keyed: {1}. {2}.",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC004.md");

    /// <summary>LLMC005: a volatile value (a request, trace or user id, a time, a GUID) enters the key.</summary>
    public static readonly DiagnosticDescriptor VolatileKeyInput = new DiagnosticDescriptor(
        "LLMC005",
        "A volatile value enters the cache key",
        "Parameter '{0}' {1}: it makes nearly every call a miss. Add it to IgnoreParams.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC005.md");

    /// <summary>LLMC006: IgnoreParams leaves out an input that changes the answer.</summary>
    public static readonly DiagnosticDescriptor OutputAffectingInputIgnored = new DiagnosticDescriptor(
        "LLMC006",
        "An input that changes the answer is ignored",
        "IgnoreParams leaves '{0}' out of the key, but {1}: calls that differ in it would share one answer",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC006.md");

    /// <summary>LLMC007: a tenant-looking parameter is neither the tenant nor ignored.</summary>
    public static readonly DiagnosticDescriptor UnmarkedTenant = new DiagnosticDescriptor(
        "LLMC007",
        "A tenant-looking parameter is not marked as the tenant",
        "Parameter '{0}' looks like a tenant; set Tenant = \"{0}\" so tenants get separate key partitions, or ignore it",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC007.md");

    /// <summary>LLMC008: a method group or delegate conversion bypasses the cache.</summary>
    public static readonly DiagnosticDescriptor MethodGroupBypassesCache = new DiagnosticDescriptor(
        "LLMC008",
        "A delegate to a cached method bypasses the cache",
        "'{0}' is used as a method group here; calls through the delegate are not intercepted and never cached. Call it in a lambda instead.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC008.md");

    /// <summary>LLMC009: the interceptor cannot reach the cached method.</summary>
    public static readonly DiagnosticDescriptor UnreachableMethod = new DiagnosticDescriptor(
        "LLMC009",
        "The cached method cannot be intercepted",
        "'{0}' cannot be cached: {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC009.md");

    /// <summary>LLMC010: a public cached method may be called from projects where no interceptor runs.</summary>
    public static readonly DiagnosticDescriptor PublicCachedMethod = new DiagnosticDescriptor(
        "LLMC010",
        "A public cached method is not cached when called from projects without LlmCache",
        "'{0}' is public: calls from projects that reference LlmCache are cached, calls from projects that do not bypass the cache",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC010.md");

    /// <summary>LLMC011: how many call sites of a cached method are intercepted.</summary>
    public static readonly DiagnosticDescriptor InterceptedCallSites = new DiagnosticDescriptor(
        "LLMC011",
        "Intercepted call sites",
        "'{0}' is cached at {1} call site(s) in this project",
        Category,
        DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC011.md", customTags: WellKnownDiagnosticTags.CompilationEnd);

    /// <summary>LLMC012: the per-method Namespace is not a valid key segment.</summary>
    public static readonly DiagnosticDescriptor InvalidNamespace = new DiagnosticDescriptor(
        "LLMC012",
        "Namespace is not a valid key segment",
        "Namespace '{0}' is invalid: use 1-64 letters, digits, '.', '_' or '-'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC012.md");

    /// <summary>LLMC013: Tenant names no parameter, or one that cannot be keyed.</summary>
    public static readonly DiagnosticDescriptor InvalidTenant = new DiagnosticDescriptor(
        "LLMC013",
        "Tenant does not name a usable parameter",
        "Tenant names '{0}', but {1}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC013.md");

    /// <summary>LLMC014: a cached instance method reads instance state that is not part of the key.</summary>
    public static readonly DiagnosticDescriptor UnkeyedInstanceState = new DiagnosticDescriptor(
        "LLMC014",
        "A cached method reads instance state that is not part of the key",
        "'{0}' reads {1} '{2}', which is not part of the cache key: instances that differ in it share entries. Mark it [CacheKey] to key it, or [NotKeyed] if it cannot change the answer.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC014.md");

    /// <summary>LLMC015: a keyed value's type keeps state outside its public members, so the runtime refuses it and the call runs uncached.</summary>
    public static readonly DiagnosticDescriptor HiddenState = new DiagnosticDescriptor(
        "LLMC015",
        "A keyed type keeps state outside its public members",
        "'{0}' keeps state outside its public members ('{1}'), so calls of '{2}' with it run uncached; make it a public property, mark it [NotKeyed] if it cannot change an answer, or implement ICacheKeyWritable",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC015.md");

    /// <summary>LLMC016: an [assembly: LlmCacheCalls] names nothing that can be cached.</summary>
    public static readonly DiagnosticDescriptor InvalidCallsTarget = new DiagnosticDescriptor(
        "LLMC016",
        "LlmCacheCalls names nothing that can be cached",
        "LlmCacheCalls caches nothing: {0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC016.md");

    /// <summary>LLMC017: EagerRefresh is not a fraction of an entry's life.</summary>
    public static readonly DiagnosticDescriptor InvalidEagerRefresh = new DiagnosticDescriptor(
        "LLMC017",
        "EagerRefresh is not a fraction of an entry's life",
        "EagerRefresh {0} is not a fraction of an entry's life: use a value above 0 and below 1, such as 0.9",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC017.md");

    /// <summary>LLMC018: the semantic declaration cannot be honoured.</summary>
    public static readonly DiagnosticDescriptor InvalidSemantic = new DiagnosticDescriptor(
        "LLMC018",
        "The semantic declaration cannot be honoured",
        "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "LLMC018.md");
}
