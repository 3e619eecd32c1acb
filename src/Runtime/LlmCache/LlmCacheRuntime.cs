using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCache;

/// <summary>Writes the key of one call from the state the interceptor captured (generated code only).</summary>
/// <typeparam name="TState">The interceptor's state: the arguments of the call.</typeparam>
public delegate void KeyBuilder<TState>(KeyWriter writer, in TState state);

/// <summary>
/// One configured cache for <see cref="LlmCachedAttribute"/> methods: a HybridCache of its own (its
/// L1 in process memory and, where configured, a second level) plus the TTL, namespace and switches
/// that shape keys and entries. Generated interceptors call it; a type that holds an instance in a
/// field, property or captured constructor parameter has its calls served by that instance, every
/// other call by <see cref="Default"/>.
/// </summary>
public sealed partial class LlmCacheRuntime : IDisposable, IAsyncDisposable
{
    private static LlmCacheRuntime? s_default;

    private readonly ServiceProvider _services;
    private readonly HybridCache _cache;
    private readonly EntrySerializerFactory _serializers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LlmCacheTelemetry _telemetry;
    private long _hits;
    private long _misses;
    private long _errors;
    private long _keyFailures;
    private volatile bool _enabled;
    private int _generation;
    private IDisposable? _reloadSubscription;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<LlmCachedMethod, LlmCachedMethod.KeySettings> _settings = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LlmCachedMethod.KeySettings> _settingsByPrefix = new(StringComparer.Ordinal);
    private readonly LocalCache _local;
    private readonly TieredCache? _tiered;
    private readonly ICacheInvalidationBus[] _buses = [];

    /// <summary>Creates a runtime that caches in process memory.</summary>
    /// <param name="options">Options; defaults apply when null.</param>
    /// <param name="timeProvider">The clock used for expiry and ages; the system clock when null.</param>
    /// <param name="loggerFactory">Where the runtime logs; nowhere when null.</param>
    /// <param name="meterFactory">Where the runtime's meter comes from; a meter of its own when null.</param>
    public LlmCacheRuntime(LlmCacheOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        Options = options ?? new LlmCacheOptions();
        Options.Validate();
        _enabled = Options.Enabled;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("LlmCache") ?? NullLogger.Instance;
        _telemetry = new LlmCacheTelemetry(meterFactory);
        _local = new LocalCache(() => Options.MemoryMaxEntries, () => Options.MemoryMaxBytes);
        _serializers = new EntrySerializerFactory(Options.SerializerOptions);

        // The runtime owns its HybridCache so that its second level and serializers never mix with a
        // HybridCache the application registered for other data.
        var services = new ServiceCollection();
        services.AddSingleton(_time);
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        }
        if (Options.Tiers.Count > 0)
        {
            _tiered = new TieredCache(Options.Tiers, Options.TierResilience, _logger, () => Options.DefaultTtl,
                dropped: (tier, operation) => _telemetry.TierDropped.Add(1, new("llmcache.tier", tier), new("llmcache.operation", operation)),
                breakerChanged: (tier, state) => _telemetry.BreakerChanges.Add(1, new("llmcache.tier", tier), new("llmcache.state", state)),
                maximumEntryBytes: () => Options.MaximumEntryBytes);
            _buses = Options.Tiers.OfType<ICacheInvalidationBus>().ToArray();
            foreach (ICacheInvalidationBus bus in _buses)
            {
                bus.KeyInvalidated += OnRemoteKeyRemoved;
                bus.TagInvalidated += OnRemoteTagRemoved;
            }
            services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(_tiered);
        }
        services.AddHybridCache(o =>
            {
                o.MaximumPayloadBytes = Options.MaximumEntryBytes;
                o.MaximumKeyLength = 1024;
            })
            .AddSerializerFactory(_serializers);
        _services = services.BuildServiceProvider();
        _cache = _services.GetRequiredService<HybridCache>();
    }

    /// <summary>
    /// The runtime that serves static cached methods and instances that hold no runtime of their own.
    /// Created on first use with default options (memory only) unless set, or unless a runtime built
    /// through <c>AddLlmCache</c> with <see cref="LlmCacheOptions.UseAsDefault"/> claimed it.
    /// </summary>
    public static LlmCacheRuntime Default
    {
        get => Volatile.Read(ref s_default) ?? CreateDefault();
        set => Volatile.Write(ref s_default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The options this runtime was built with.</summary>
    public LlmCacheOptions Options { get; }

    /// <summary>Whether calls are served from the cache. False sends every call straight to its method.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Changes with every reconfiguration that alters keys or entry options.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>Counts of what this runtime has done since it was created.</summary>
    public LlmCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _keyFailures));

    /// <summary>Whether <paramref name="value"/> is usable as a namespace: 1-64 letters, digits, '.', '_' or '-'.</summary>
    /// <param name="value">The candidate namespace.</param>
    public static bool IsValidNamespace(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Changes options at run time, without a restart: a new <see cref="LlmCacheOptions.Namespace"/>
    /// orphans every entry written before; a new <see cref="LlmCacheOptions.DefaultTtl"/> applies to
    /// entries written from now on. Invalid options are rejected and the old ones kept.
    /// </summary>
    /// <param name="configure">Changes to apply.</param>
    public void Reconfigure(Action<LlmCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        lock (Options)
        {
            LlmCacheOptions before = Options.CopyReloadable(new LlmCacheOptions());
            configure(Options);
            try
            {
                Options.Validate();
            }
            catch
            {
                before.CopyReloadable(Options);
                throw;
            }
            _enabled = Options.Enabled;
            Interlocked.Increment(ref _generation);
            // Keys of the old generation can no longer be asked for: free their memory at once.
            _settings.Clear();
            _settingsByPrefix.Clear();
            _local.Clear();
        }
    }

    /// <summary>The key settings of a method under the current configuration: one instance per generation.</summary>
    internal LlmCachedMethod.KeySettings SettingsOf(LlmCachedMethod method)
    {
        int generation = Generation;
        if (_settings.TryGetValue(method, out LlmCachedMethod.KeySettings? known) && known.Generation == generation)
        {
            return known;
        }
        var created = new LlmCachedMethod.KeySettings(method, this);
        LlmCachedMethod.KeySettings settings = _settings.AddOrUpdate(method, created,
            (_, old) => old.Generation == created.Generation ? old : created);
        _settingsByPrefix[settings.Prefix] = settings;
        return settings;
    }

    /// <summary>Follows configuration reloads: each change is applied as a <see cref="Reconfigure"/>; an invalid one is logged and ignored.</summary>
    internal void FollowConfiguration(Microsoft.Extensions.Options.IOptionsMonitor<LlmCacheOptions> monitor) =>
        _reloadSubscription = monitor.OnChange((changed, _) =>
        {
            try
            {
                Reconfigure(current => changed.CopyReloadable(current));
            }
            catch (ArgumentException ex)
            {
                Log.ReloadRejected(_logger, ex);
            }
        });

    /// <summary>Removes the entry stored under <paramref name="key"/> from every level.</summary>
    /// <param name="key">A key as produced for a cached call.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (TryParseKey(key, out CallKey callKey))
        {
            _local.Remove(callKey);
        }
        await _cache.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishKeyAsync(key).ConfigureAwait(false);
        }
    }

    /// <summary>Removes every entry carrying <paramref name="tag"/>.</summary>
    /// <param name="tag">A tag from <see cref="LlmCachedAttribute.Tags"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        _local.RemoveWhere(method => method.Tags.Contains(tag));
        await _cache.RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishTagAsync(tag).ConfigureAwait(false);
        }
    }

    // Another process removed something: drop the in-process copy here (its second level is shared).
    private void OnRemoteKeyRemoved(string key)
    {
        if (TryParseKey(key, out CallKey callKey))
        {
            _local.Remove(callKey);
        }
    }

    private void OnRemoteTagRemoved(string tag) => _local.RemoveWhere(method => method.Tags.Contains(tag));

    private void Unsubscribe()
    {
        foreach (ICacheInvalidationBus bus in _buses)
        {
            bus.KeyInvalidated -= OnRemoteKeyRemoved;
            bus.TagInvalidated -= OnRemoteTagRemoved;
        }
    }

    /// <summary>Reads a key string back into its call key: prefix (method and namespace), optional tenant segment, digest.</summary>
    private bool TryParseKey(string key, out CallKey callKey)
    {
        callKey = default;
        if (key.Length < 64 || !Digest256.TryParseHex(key.AsSpan(key.Length - 64), out Digest256 digest))
        {
            return false;
        }
        string prefix = key[..^64];
        ulong tenant = 0;
        bool hasTenant = false;
        if (!_settingsByPrefix.TryGetValue(prefix, out LlmCachedMethod.KeySettings? settings))
        {
            // llmcache:{ns}:{method}:t-{16 hex}:
            if (prefix.Length < 20 || prefix[^20..^17] != ":t-"
                || !ulong.TryParse(prefix.AsSpan(prefix.Length - 17, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out tenant)
                || !_settingsByPrefix.TryGetValue(prefix[..^19], out settings))
            {
                return false;
            }
            hasTenant = true;
        }
        callKey = new CallKey(settings, digest, tenant, hasTenant);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _tiered?.FlushAsync(FlushLimit).GetAwaiter().GetResult();
        Unsubscribe();
        _reloadSubscription?.Dispose();
        _services.Dispose();
        _telemetry.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        Unsubscribe();
        _reloadSubscription?.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        _telemetry.Dispose();
    }

    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits (at most 5 seconds) for second-level writes still in flight. Callers never wait for tier
    /// writes; call this before a short-lived process exits (disposing the runtime does it too).
    /// </summary>
    public Task FlushAsync() => _tiered?.FlushAsync(FlushLimit) ?? Task.CompletedTask;

    /// <summary>Whether a second level (a chain of tiers) is configured.</summary>
    internal bool HasSecondLevel => _tiered is not null;

    /// <summary>Entries held by the in-process level (for tests and diagnostics).</summary>
    internal int LocalEntryCount => _local.Count;

    /// <summary>The runtime's meter (named <c>LlmCache</c>), for listeners that want this runtime's measurements only.</summary>
    public System.Diagnostics.Metrics.Meter Meter => _telemetry.Meter;

    /// <summary>Whether the method and tag filters of the current options let <paramref name="method"/> be cached.</summary>
    internal bool IsMethodEnabled(LlmCachedMethod method)
    {
        foreach (string name in Options.DisabledMethods)
        {
            if (string.Equals(name, method.Name, StringComparison.Ordinal)
                || (method.Name.StartsWith(name, StringComparison.Ordinal) && method.Name.Length > name.Length && method.Name[name.Length] == '.'
                    && method.Name.IndexOf('.', name.Length + 1) < 0))
            {
                return false;
            }
        }
        foreach (string tag in method.Tags)
        {
            if (Options.DisabledTags.Contains(tag))
            {
                return false;
            }
        }
        return true;
    }

    private static LlmCacheRuntime CreateDefault()
    {
        var created = new LlmCacheRuntime();
        LlmCacheRuntime? raced = Interlocked.CompareExchange(ref s_default, created, null);
        if (raced is null)
        {
            return created;
        }
        created.Dispose();
        return raced;
    }

    /// <summary>What the factory did for one call: HybridCache hands the caller a copy, so this is how the caller learns it.</summary>
    private sealed class CallOutcome<T>
    {
        public bool RanMethod;
        public T? Value;
        public long MethodTicks;
        public CacheEntry<T>? Entry;
        public long Bytes;
    }

    /// <summary>Carries a cached method's own exception through HybridCache, which never stores it.</summary>
    private sealed class MethodFailedException(Exception inner) : Exception(inner.Message, inner);
}
