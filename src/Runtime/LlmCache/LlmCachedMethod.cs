using System.ComponentModel;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmCache;

/// <summary>
/// Describes one <see cref="LlmCachedAttribute"/> method: its identity (type, name and signature
/// fingerprint), its TTL, namespace and tags. Generated code creates one per method, once.
/// </summary>
public sealed class LlmCachedMethod
{
    private volatile KeySettings? _settings;

    /// <summary>Creates a method descriptor (generated code only).</summary>
    /// <param name="id">Containing type, method name and signature fingerprint, e.g. <c>Demo.Chat.AskAsync.3f2a9c01d4e5b6a7</c>.</param>
    /// <param name="ttl">The attribute's TTL, or null for the runtime's default.</param>
    /// <param name="namespace">The attribute's per-method namespace, or null.</param>
    /// <param name="tags">The attribute's tags, or null.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public LlmCachedMethod(string id, TimeSpan? ttl, string? @namespace, string[]? tags)
    {
        Id = id;
        Ttl = ttl;
        Namespace = @namespace;
        Tags = tags ?? [];
    }

    /// <summary>The method's identity in keys.</summary>
    public string Id { get; }

    /// <summary>The method's own TTL, if its attribute sets one.</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>The method's own namespace, if its attribute sets one.</summary>
    public string? Namespace { get; }

    /// <summary>The method's tags.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The key prefix and entry options of this method under one runtime's configuration.</summary>
    internal KeySettings SettingsFor(LlmCacheRuntime runtime)
    {
        KeySettings? settings = _settings;
        if (settings is not null && ReferenceEquals(settings.Runtime, runtime) && settings.Generation == runtime.Generation)
        {
            return settings;
        }
        settings = new KeySettings(this, runtime);
        _settings = settings;
        return settings;
    }

    internal sealed class KeySettings
    {
        public KeySettings(LlmCachedMethod method, LlmCacheRuntime runtime)
        {
            Runtime = runtime;
            Generation = runtime.Generation;
            Ttl = method.Ttl ?? runtime.Options.DefaultTtl;
            Prefix = method.Namespace is null
                ? $"llmcache:{runtime.Options.Namespace}:{method.Id}:"
                : $"llmcache:{runtime.Options.Namespace}:{method.Id}~{method.Namespace}:";
            EntryOptions = new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl };
        }

        public LlmCacheRuntime Runtime { get; }

        public int Generation { get; }

        public TimeSpan Ttl { get; }

        public string Prefix { get; }

        public HybridCacheEntryOptions EntryOptions { get; }
    }
}
