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

    /// <summary>LLMC009: the interceptor cannot reach the cached method.</summary>
    public static readonly DiagnosticDescriptor UnreachableMethod = Create(9,
        "The cached method cannot be intercepted",
        "'{0}' cannot be cached: {1}",
        DiagnosticSeverity.Error);

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

    private static DiagnosticDescriptor Create(int number, string title, string message, DiagnosticSeverity severity)
    {
        string id = "LLMC" + number.ToString("000", System.Globalization.CultureInfo.InvariantCulture);
        var descriptor = new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + id + ".md");
        s_byId.Add(id, descriptor);
        return descriptor;
    }
}
