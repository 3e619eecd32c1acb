using System.ComponentModel;
using System.Runtime.CompilerServices;
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
    private readonly CallRecorder _recorder;
    private readonly CallKeys _keys;
    private readonly EntryStore _store;
    private readonly BackgroundRefreshes _refreshes;
    private volatile bool _enabled;
    private int _generation;
    private IDisposable? _reloadSubscription;
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
        _recorder = new CallRecorder(_telemetry, _logger);
        _keys = new CallKeys(this, _recorder);
        _local = new LocalCache(() => Options.MemoryMaxEntries, () => Options.MemoryMaxBytes, () => Options.MemoryTtl, () => _time.GetUtcNow().UtcTicks);
        ValueSerializerOptions = ClientModelJson.With(Options.SerializerOptions);
        _serializers = new EntrySerializerFactory(ValueSerializerOptions);

        // The runtime owns its HybridCache so that its second level and serializers never mix with a
        // HybridCache the application registered for other data.
        var services = new ServiceCollection();
        services.AddSingleton(_time);
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        }
        // Snapshot tiers take entries, not HybridCache's payloads: they are served through SnapshotLevel,
        // every other tier through the chain HybridCache reads as its second level.
        var snapshotTiers = new List<SnapshotTier>();
        var byteTiers = new List<Microsoft.Extensions.Caching.Distributed.IDistributedCache>();
        foreach (Microsoft.Extensions.Caching.Distributed.IDistributedCache tier in Options.Tiers)
        {
            switch (tier)
            {
                case SnapshotTier snapshot:
                    snapshotTiers.Add(snapshot);
                    break;
                case ReadOnlyTier { Inner: SnapshotTier snapshot }:
                    snapshotTiers.Add(snapshot); // the wrapper made it read-only
                    break;
                default:
                    byteTiers.Add(tier);
                    break;
            }
        }
        Snapshots = new SnapshotLevel(snapshotTiers, _recorder, ValueSerializerOptions);
        if (byteTiers.Count > 0)
        {
            _tiered = new TieredCache(byteTiers, Options.TierResilience, _logger, () => Options.DefaultTtl,
                dropped: (tier, operation) => _telemetry.TierDropped.Add(1, new(TagNames.Tier, tier), new(TagNames.Operation, operation)),
                breakerChanged: (tier, state) => _telemetry.BreakerChanges.Add(1, new(TagNames.Tier, tier), new(TagNames.State, state)),
                maximumEntryBytes: () => Options.MaximumEntryBytes,
                signingKey: Options.KeySecret is { } secret ? SigningKey(secret) : null, time: _time);
            _buses = byteTiers.OfType<ICacheInvalidationBus>().ToArray();
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
        _refreshes = new BackgroundRefreshes(Options.MaxBackgroundRefreshes);
        _store = new EntryStore(this, _cache, _serializers, _local, _recorder, _time,
            new RemovalLog(_time, () => Options.Namespace, _tiered), hasSecondLevel: _tiered is not null, Snapshots);
    }

    // The key that signs tier values: derived from the secret, so it differs from the one that keys tenants.
    private static byte[] SigningKey(string secret) =>
        System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), "llmcache:tier-signature"u8);

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

    /// <summary>
    /// What values are serialized and copied with: <see cref="LlmCacheOptions.SerializerOptions"/> as
    /// configured when the runtime was built, plus System.ClientModel's models and results.
    /// </summary>
    internal System.Text.Json.JsonSerializerOptions ValueSerializerOptions { get; }

    /// <summary>Whether calls are served from the cache. False sends every call straight to its method.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Changes with every reconfiguration that alters keys or entry options.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>Counts of what this runtime has done since it was created.</summary>
    public LlmCacheStatistics Statistics => _recorder.Statistics;

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
            // Keys of the old generation can no longer be asked for: free their memory at once (key
            // removals are kept: the key strings of a generation with the same namespace are the same).
            _keys.Clear();
            _local.Clear();
            _store.Removals.Clear();
        }
    }

    /// <summary>The key settings of a method under the current configuration: one instance per generation.</summary>
    internal LlmCachedMethod.KeySettings SettingsOf(LlmCachedMethod method) => _keys.SettingsOf(method);

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

    /// <summary>
    /// Removes the entry stored under <paramref name="key"/> from every level. The removal wins over
    /// anything that started before it: a call already running when it was made does not store its
    /// answer, and a copy written to a tier late is not served.
    /// </summary>
    /// <param name="key">A key as produced for a cached call.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>
    /// True when every tier confirmed the removal; false when a tier could not be reached (failing,
    /// or its breaker open): the removal is then retried in the background until it lands, and this
    /// process never serves the entry meanwhile.
    /// </returns>
    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        // Recorded even when the method has not been called under the current configuration: a call of
        // an earlier one may still be running and would store under the same key string.
        _store.Removals.KeyRemoved(key);
        if (_keys.TryParse(key, out CallKey callKey))
        {
            _local.Remove(callKey);
        }
        bool complete = _store.Snapshots.Remove(key);
        if (_tiered is not null)
        {
            complete &= await _tiered.RemoveEverywhereAsync(key, cancellationToken).ConfigureAwait(false);
            _ = RemoveAgainAsync(key);
        }
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishKeyAsync(key).ConfigureAwait(false);
        }
        return complete;
    }

    /// <summary>
    /// A tier write that was already in flight when the key was removed — a promotion, a background
    /// store of this or another process, a retry — can land after the removal. The removal is applied
    /// once more when every such write must have finished (its timeout and retries are bounded).
    /// </summary>
    private async Task RemoveAgainAsync(string key)
    {
        TierResilienceOptions resilience = Options.TierResilience;
        TimeSpan settle = (resilience.Timeout + resilience.RetryDelay * 4) * (resilience.WriteRetries + 1) + TimeSpan.FromMilliseconds(250);
        try
        {
            await Task.Delay(settle, _time).ConfigureAwait(false);
            await _tiered!.RemoveEverywhereAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.CacheFailed(_logger, "removal", ex);
        }
    }

    /// <summary>
    /// Removes every entry carrying <paramref name="tag"/>, in this process and in every process that
    /// shares its tiers: the removal's time is written to the tiers, and an entry created before it is
    /// never served again, wherever it is found.
    /// </summary>
    /// <param name="tag">A tag from <see cref="LlmCachedAttribute.Tags"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>True when every tier holds the removal's record; false when one could not be reached yet (it gets it later; this process honours the removal meanwhile).</returns>
    public async ValueTask<bool> RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        bool complete = await _store.Removals.TagRemovedAsync(tag, share: true).ConfigureAwait(false);
        _local.RemoveWhere(method => method.Tags.Contains(tag));
        await _cache.RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishTagAsync(tag).ConfigureAwait(false);
        }
        return complete;
    }

    /// <summary>
    /// Removes every entry of one tenant (the value of the <see cref="LlmCachedAttribute.Tenant"/>
    /// parameter), of every method, from every level and every process sharing the tiers: entries
    /// written for it before now are never served again and expire with their TTL.
    /// </summary>
    /// <typeparam name="TTenant">The tenant parameter's type (a string, a number, a Guid …).</typeparam>
    /// <param name="tenant">The tenant's value, as the cached methods receive it.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>True when every tier holds the removal's record; false when one could not be reached yet (it gets it later).</returns>
    public async ValueTask<bool> ForgetTenantAsync<TTenant>(TTenant tenant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ulong partition = _keys.TenantPartition(tenant);
        bool complete = await _store.Removals.TenantRemovedAsync(partition, share: true).ConfigureAwait(false);
        _local.RemoveWhere((key, _) => key.HasTenant && key.Tenant == partition);
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishTagAsync(TenantNotice + partition.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
        return complete;
    }

    // A tenant removal travels on the tag channel under a name no user tag can have.
    private const string TenantNotice = "\u0001tenant:";

    // Another process removed something: drop the in-process copy here (its second level is shared).
    private void OnRemoteKeyRemoved(string key)
    {
        _store.Removals.KeyRemoved(key);
        if (_keys.TryParse(key, out CallKey callKey))
        {
            _local.Remove(callKey);
        }
    }

    private void OnRemoteTagRemoved(string tag)
    {
        if (tag.StartsWith(RemovalLog.MethodRemovalTag, StringComparison.Ordinal))
        {
            OnRemoteMethodRemoved(tag[RemovalLog.MethodRemovalTag.Length..]);
            return;
        }
        if (tag.StartsWith(TenantNotice, StringComparison.Ordinal))
        {
            if (ulong.TryParse(tag.AsSpan(TenantNotice.Length), System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong partition))
            {
                _ = _store.Removals.TenantRemovedAsync(partition, share: false);
                _local.RemoveWhere((key, _) => key.HasTenant && key.Tenant == partition);
            }
            return;
        }
        _ = _store.Removals.TagRemovedAsync(tag, share: false);
        _local.RemoveWhere(method => method.Tags.Contains(tag));
    }

    private void Unsubscribe()
    {
        foreach (ICacheInvalidationBus bus in _buses)
        {
            bus.KeyInvalidated -= OnRemoteKeyRemoved;
            bus.TagInvalidated -= OnRemoteTagRemoved;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _refreshes.FlushAsync(FlushLimit).GetAwaiter().GetResult();
        FlushSemanticAsync().GetAwaiter().GetResult();
        _tiered?.FlushAsync(FlushLimit).GetAwaiter().GetResult();
        _tiered?.Dispose();
        Unsubscribe();
        _reloadSubscription?.Dispose();
        _services.Dispose();
        _telemetry.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        _tiered?.Dispose();
        Unsubscribe();
        _reloadSubscription?.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        _telemetry.Dispose();
    }

    private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits (at most 5 seconds each) for background refreshes still running (a call past its soft
    /// timeout, an eager refresh), then for second-level writes still in flight. Callers never wait for
    /// either; call this before a short-lived process exits (disposing the runtime does it too).
    /// </summary>
    public async Task FlushAsync()
    {
        await _refreshes.FlushAsync(FlushLimit).ConfigureAwait(false);
        await FlushSemanticAsync().ConfigureAwait(false);
        if (_tiered is not null)
        {
            await _tiered.FlushAsync(FlushLimit).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The tiers of the chain HybridCache reads as its second level (<see cref="LlmCacheOptions.Tiers"/>
    /// except snapshot tiers), fastest first, each with its name, circuit breaker state and a probe;
    /// empty when the runtime caches in memory only. Health checks and operator endpoints use it.
    /// </summary>
    public IReadOnlyList<LlmCacheTierInfo> Tiers => _tiered?.Infos ?? [];

    /// <summary>
    /// What each cached method (and middleware shape) has done in this runtime since it was created:
    /// hits by level, misses, stale answers, tokens and cost saved, stores skipped by reason. A snapshot,
    /// in no particular order; methods not called yet are absent.
    /// </summary>
    public IReadOnlyList<MethodStatistics> MethodStatistics => [.. _recorder.Methods.Select(m => m.Snapshot())];

    internal MethodCounters CountersOf(LlmCachedMethod method) => _recorder.CountersOf(method);

    /// <summary>Method calls running in the background now: calls that outlived their soft timeout, and eager refreshes.</summary>
    public int PendingRefreshes => _refreshes.Pending;

    /// <summary>Whether a second level (a chain of tiers, or a snapshot tier) is configured.</summary>
    internal bool HasSecondLevel => _tiered is not null || Snapshots.RecordsRequests;

    /// <summary>The snapshot tiers of <see cref="LlmCacheOptions.Tiers"/>, served through their own seam.</summary>
    internal SnapshotLevel Snapshots { get; }

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
}
