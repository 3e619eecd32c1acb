using System.ComponentModel;

namespace LlmCache;

/// <summary>
/// Marks the generated entry point through which other projects call a public <c>[LlmCached]</c>
/// method of this assembly (generated code only). The generator of a calling project that references
/// LlmCache intercepts its calls of the method and routes them here, so they are keyed and cached
/// exactly as the library's own calls: the same method id, the same key, the same entries.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LlmCachedExportAttribute : Attribute
{
    /// <summary>Marks the entry point of the method with documentation id <paramref name="documentationId"/>.</summary>
    /// <param name="documentationId">The cached method's documentation comment id, e.g. <c>M:Lib.Chat.AskAsync(System.String)</c>.</param>
    public LlmCachedExportAttribute(string documentationId) => DocumentationId = documentationId;

    /// <summary>The cached method's documentation comment id.</summary>
    public string DocumentationId { get; }
}
