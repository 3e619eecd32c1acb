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
    /// <param name="keyedParameters">Names of the parameters that enter the key, in order.</param>
    /// <param name="ignoredParameters">Names of the parameters that never enter the key.</param>
    /// <param name="tenantParameter">The parameter that partitions the key by tenant, or null.</param>
    /// <param name="failSafe">The attribute's fail-safe window, or null for the runtime's.</param>
    /// <param name="softTimeout">The attribute's soft timeout, or null for the runtime's.</param>
    /// <param name="hardTimeout">The attribute's hard timeout of background calls, or null for the runtime's.</param>
    /// <param name="eagerRefresh">The attribute's eager refresh point (a fraction of the entry's life), or null for the runtime's.</param>
    /// <param name="semantic">The parameter compared by meaning, or null.</param>
    /// <param name="similarity">The attribute's similarity threshold, or null for the runtime's.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public LlmCachedMethod(string id, TimeSpan? ttl, string? @namespace, string[]? tags,
        string[]? keyedParameters = null, string[]? ignoredParameters = null, string? tenantParameter = null, TimeSpan? failSafe = null,
        TimeSpan? softTimeout = null, TimeSpan? hardTimeout = null, double? eagerRefresh = null, string? semantic = null, double? similarity = null)
    {
        SemanticParameter = semantic;
        Similarity = similarity;
        FailSafe = failSafe;
        SoftTimeout = softTimeout;
        HardTimeout = hardTimeout;
        EagerRefresh = eagerRefresh;
        Id = id;
        Ttl = ttl;
        Namespace = @namespace;
        Tags = tags ?? [];
        KeyedParameters = keyedParameters ?? [];
        IgnoredParameters = ignoredParameters ?? [];
        TenantParameter = tenantParameter;
        int fingerprint = id.LastIndexOf('.');
        Name = fingerprint > 0 ? id[..fingerprint] : id;
    }

    /// <summary>The method's containing type and name without the fingerprint, e.g. <c>Demo.Chat.AskAsync</c>.</summary>
    public string Name { get; }

    /// <summary>Parameters that enter the key, in order.</summary>
    public IReadOnlyList<string> KeyedParameters { get; }

    /// <summary>Parameters that never enter the key.</summary>
    public IReadOnlyList<string> IgnoredParameters { get; }

    /// <summary>The parameter whose value partitions the key by tenant, if any.</summary>
    public string? TenantParameter { get; }

    /// <summary>The method's identity in keys.</summary>
    public string Id { get; }

    /// <summary>The method's own fail-safe window, if its attribute sets one.</summary>
    public TimeSpan? FailSafe { get; }

    /// <summary>The method's own soft timeout, if its attribute sets one.</summary>
    public TimeSpan? SoftTimeout { get; }

    /// <summary>The method's own hard timeout of background calls, if its attribute sets one.</summary>
    public TimeSpan? HardTimeout { get; }

    /// <summary>The method's own eager refresh point, if its attribute sets one.</summary>
    public double? EagerRefresh { get; }

    /// <summary>The parameter compared by meaning (<see cref="LlmCachedAttribute.Semantic"/>), if any.</summary>
    public string? SemanticParameter { get; }

    /// <summary>The method's own similarity threshold, if its attribute sets one.</summary>
    public double? Similarity { get; }

    /// <summary>The method's own TTL, if its attribute sets one.</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>The method's own namespace, if its attribute sets one.</summary>
    public string? Namespace { get; }

    /// <summary>The method's tags.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The key prefix and entry options of this method under one runtime's configuration.</summary>
    /// <remarks>
    /// One instance per method, runtime and configuration generation (the runtime keeps them), so the
    /// in-process level can key entries by it; the last one used is remembered here for speed.
    /// </remarks>
    internal KeySettings SettingsFor(LlmCacheRuntime runtime)
    {
        KeySettings? settings = _settings;
        if (settings is not null && ReferenceEquals(settings.Runtime, runtime) && settings.Generation == runtime.Generation)
        {
            return settings;
        }
        settings = runtime.SettingsOf(this);
        _settings = settings;
        return settings;
    }

    internal sealed class KeySettings
    {
        public KeySettings(LlmCachedMethod method, LlmCacheRuntime runtime)
        {
            Runtime = runtime;
            Method = method;
            Counters = runtime.CountersOf(method);
            Generation = runtime.Generation;
            Ttl = method.Ttl ?? runtime.Options.DefaultTtl;
            FailSafe = method.FailSafe ?? runtime.Options.FailSafe ?? TimeSpan.Zero;
            SoftTimeout = method.SoftTimeout ?? runtime.Options.SoftTimeout;
            HardTimeout = method.HardTimeout ?? runtime.Options.HardTimeout;
            EagerRefresh = method.EagerRefresh ?? runtime.Options.EagerRefresh ?? 0;
            Prefix = method.Namespace is null
                ? $"llmcache:{runtime.Options.Namespace}:{method.Id}:"
                : $"llmcache:{runtime.Options.Namespace}:{method.Id}~{method.Namespace}:";
            // The runtime keeps its own in-process level (objects, copied per caller): HybridCache's is bypassed.
            EntryOptions = EntryOptionsFor(Ttl);
            NoWriteOptions = new HybridCacheEntryOptions
            {
                Expiration = Ttl,
                LocalCacheExpiration = Ttl,
                Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCacheWrite,
            };
            Enabled = runtime.IsMethodEnabled(method);
            Tag = LlmCacheTelemetry.MethodTag(method);
        }

        /// <summary>
        /// How an entry living <paramref name="ttl"/> is written: the tiers keep it for the fail-safe window
        /// beyond (the entry's own header says when it stops being fresh).
        /// </summary>
        public HybridCacheEntryOptions EntryOptionsFor(TimeSpan ttl)
        {
            TimeSpan life = ttl + FailSafe < ttl ? TimeSpan.MaxValue : ttl + FailSafe;
            return new() { Expiration = life, LocalCacheExpiration = life, Flags = HybridCacheEntryFlags.DisableLocalCache };
        }

        /// <summary>How long past its expiry an entry may still answer a call whose method failed (zero: never).</summary>
        public TimeSpan FailSafe { get; }

        /// <summary>How long a call with a stale entry at hand waits for its method before the entry answers; null: as long as the method takes.</summary>
        public TimeSpan? SoftTimeout { get; }

        /// <summary>How long a method finishing in the background may run.</summary>
        public TimeSpan HardTimeout { get; }

        /// <summary>The fraction of an entry's life after which a hit starts a background refresh; 0: never.</summary>
        public double EagerRefresh { get; }

        /// <summary>Whether calls of this method may leave work running in the background (a soft timeout or an eager refresh).</summary>
        public bool RefreshesInBackground => SoftTimeout is not null || EagerRefresh > 0;

        /// <summary>Options for a read that must not write (no-store calls, result-dependent TTLs).</summary>
        public HybridCacheEntryOptions NoWriteOptions { get; }

        /// <summary>Whether the runtime's method and tag filters let this method be cached.</summary>
        public bool Enabled { get; }

        /// <summary>The method's telemetry tag.</summary>
        public KeyValuePair<string, object?> Tag { get; }

        /// <summary>The method's counters in this runtime (kept across reconfigurations).</summary>
        public MethodCounters Counters { get; }

        public LlmCacheRuntime Runtime { get; }

        public LlmCachedMethod Method { get; }

        public int Generation { get; }

        public TimeSpan Ttl { get; }

        public string Prefix { get; }

        public HybridCacheEntryOptions EntryOptions { get; }
    }
}
