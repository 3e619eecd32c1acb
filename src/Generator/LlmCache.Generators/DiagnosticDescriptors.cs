using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// Every diagnostic LlmCache reports. One factory makes them all, so none lacks its help link
/// (<c>docs/diagnostics/LLMCnnn.md</c>). Ids are never reused; a retired one stays here as a comment.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "LlmCache";
    private const string HelpLinkBase = "https://github.com/llmcache/llmcache/blob/main/docs/diagnostics/";

    /// <summary>Diagnostic property: the IgnoreParams entry or parameter a code fix acts on.</summary>
    public const string PropertyValue = "Value";

    /// <summary>Diagnostic property: the closest parameter name, when there is one.</summary>
    public const string PropertyClosest = "Closest";

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new(StringComparer.Ordinal);

    /// <summary>LLMC001: an IgnoreParams entry names no parameter of the method.</summary>
    public static readonly DiagnosticDescriptor UnknownIgnoredParameter = Create(1,
        "IgnoreParams names a parameter that does not exist",
        "IgnoreParams names '{0}', but '{1}' has no parameter of that name{2}",
        DiagnosticSeverity.Error);

    /// <summary>LLMC002: the Ttl does not parse, or is zero or negative.</summary>
    public static readonly DiagnosticDescriptor InvalidTtl = Create(2,
        "Ttl is not a valid lifetime",
        "Ttl '{0}' is not a lifetime: use 30s, 15m, 2h, 7d or [d.]hh:mm:ss, greater than zero",
        DiagnosticSeverity.Error);

    /// <summary>LLMC003: the return type cannot be cached.</summary>
    public static readonly DiagnosticDescriptor UncacheableReturnType = Create(3,
        "The return type cannot be cached",
        "'{0}' returns '{1}', which cannot be cached: return Task<T>, ValueTask<T> or IAsyncEnumerable<T>",
        DiagnosticSeverity.Error);

    /// <summary>LLMC004: a parameter cannot be keyed.</summary>
    public static readonly DiagnosticDescriptor UnkeyableParameter = Create(4,
        "A parameter cannot be part of the cache key",
        "Parameter '{0}' cannot be keyed: {1}. Add it to IgnoreParams or implement LlmCache.ICacheKeyWritable on its type.",
        DiagnosticSeverity.Error);

    /// <summary>LLMC005: a volatile value (a request, trace or user id, a time, a GUID) enters the key.</summary>
    public static readonly DiagnosticDescriptor VolatileKeyInput = Create(5,
        "A volatile value enters the cache key",
        "Parameter '{0}' {1}: it makes nearly every call a miss. Add it to IgnoreParams.",
        DiagnosticSeverity.Warning);

    /// <summary>LLMC006: IgnoreParams leaves out an input that changes the answer.</summary>
    public static readonly DiagnosticDescriptor OutputAffectingInputIgnored = Create(6,
        "An input that changes the answer is ignored",
        "IgnoreParams leaves '{0}' out of the key, but {1}: calls that differ in it would share one answer",
        DiagnosticSeverity.Warning);

    /// <summary>LLMC007: a tenant-looking parameter is neither the tenant nor ignored.</summary>
    public static readonly DiagnosticDescriptor UnmarkedTenant = Create(7,
        "A tenant-looking parameter is not marked as the tenant",
        "Parameter '{0}' looks like a tenant; set Tenant = \"{0}\" so tenants get separate key partitions, or ignore it",
        DiagnosticSeverity.Warning);

    /// <summary>LLMC008: a method group or delegate conversion bypasses the cache.</summary>
    public static readonly DiagnosticDescriptor MethodGroupBypassesCache = Create(8,
        "A delegate to a cached method bypasses the cache",
        "'{0}' is used as a method group here; calls through the delegate are not intercepted and never cached. Call it in a lambda instead.",
        DiagnosticSeverity.Warning);

    /// <summary>LLMC009: the interceptor cannot reach the cached method.</summary>
    public static readonly DiagnosticDescriptor UnreachableMethod = Create(9,
        "The cached method cannot be intercepted",
        "'{0}' cannot be cached: {1}",
        DiagnosticSeverity.Error);

    /// <summary>LLMC010: a public cached method may be called from projects where no interceptor runs.</summary>
    public static readonly DiagnosticDescriptor PublicCachedMethod = Create(10,
        "A public cached method is not cached when called from other projects",
        "'{0}' is public: calls from other projects are not intercepted and bypass the cache",
        DiagnosticSeverity.Info);

    /// <summary>LLMC011: how many call sites of a cached method are intercepted.</summary>
    public static readonly DiagnosticDescriptor InterceptedCallSites = Create(11,
        "Intercepted call sites",
        "'{0}' is cached at {1} call site(s) in this project",
        DiagnosticSeverity.Hidden);

    /// <summary>LLMC012: the per-method Namespace is not a valid key segment.</summary>
    public static readonly DiagnosticDescriptor InvalidNamespace = Create(12,
        "Namespace is not a valid key segment",
        "Namespace '{0}' is invalid: use 1-64 letters, digits, '.', '_' or '-'",
        DiagnosticSeverity.Error);

    /// <summary>LLMC013: Tenant names no parameter, or one that cannot be keyed.</summary>
    public static readonly DiagnosticDescriptor InvalidTenant = Create(13,
        "Tenant does not name a usable parameter",
        "Tenant names '{0}', but {1}",
        DiagnosticSeverity.Error);

    internal static DiagnosticDescriptor ById(string id) => s_byId[id];

    /// <summary>Every descriptor, in id order.</summary>
    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    private static DiagnosticDescriptor Create(int number, string title, string message, DiagnosticSeverity severity)
    {
        string id = "LLMC" + number.ToString("000", System.Globalization.CultureInfo.InvariantCulture);
        // The summary is informational and only evaluated at compilation end.
        string[] tags = number == 11 ? new[] { WellKnownDiagnosticTags.CompilationEnd } : Array.Empty<string>();
        var descriptor = new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + id + ".md", customTags: tags);
        s_byId.Add(id, descriptor);
        return descriptor;
    }
}
