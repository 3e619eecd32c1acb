using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace LlmCache;

/// <summary>
/// A tier of the chain that follows its configuration section (LiteLLM's "update cache params"):
/// registered by the tier packages' <c>Add…Tier(IConfiguration)</c> extensions (or
/// <see cref="TierRegistration.AddConfiguredTier{TOptions, TTier}"/>), it holds the tier its section
/// describes and, when the section reloads with other values, builds the new tier and swaps it in:
/// <c>Enabled: false</c> switches the tier off (every call is a miss, a write goes nowhere), <c>true</c>
/// on again, any other change (a path, a connection string, a bucket, <c>MaxTtl</c>, <c>ReadOnly</c>)
/// replaces it. No write is lost in the swap: an operation that started on the old tier finishes there,
/// and the old tier is disposed only when the last of them has finished; every operation that starts
/// after the swap goes to the new one. A section that cannot be built (bad options, a server that
/// refuses) is logged and the current tier kept.
/// </summary>
public partial class ConfiguredTier : ICacheTier, ICacheInvalidationBus, IDisposable
{
    private readonly IConfiguration _section;
    private readonly Func<IConfiguration, IDistributedCache?> _create;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IDisposable _reloads;
    private Lease _current;
    private string _fingerprint;
    private bool _readOnly;
    private bool _disposed;

    /// <summary>Creates the tier from <paramref name="section"/> as it is now, and follows its reloads.</summary>
    /// <param name="section">The tier's configuration section, e.g. <c>LlmCache:Disk</c>.</param>
    /// <param name="create">Builds the tier a section describes, or returns null when it is switched off.</param>
    /// <param name="kind">The tier's type name, as operators see it (<see cref="LlmCacheTierInfo.Name"/>).</param>
    /// <param name="logger">Where swaps and failed reloads are reported.</param>
    public ConfiguredTier(IConfiguration section, Func<IConfiguration, IDistributedCache?> create, string kind, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(create);
        _section = section;
        _create = create;
        Kind = kind;
        _logger = logger ?? NullLogger.Instance;
        _fingerprint = Fingerprint(section);
        _current = new Lease(create(section));
        Subscribe(_current.Tier);
        _reloads = ChangeToken.OnChange(section.GetReloadToken, () => Reload());
    }

    /// <summary>The tier's type name (the configured tier's, whether or not it is switched on now).</summary>
    public string Kind { get; }

    /// <summary>The tier serving calls now; null while the section switches it off.</summary>
    public IDistributedCache? Current => Volatile.Read(ref _current).Tier;

    /// <summary>How many times the tier was swapped (switched on or off, or rebuilt) since it was created.</summary>
    public int Swaps { get; private set; }

    /// <summary>Raised after a swap with the tier now serving calls (null: switched off).</summary>
    public event Action<IDistributedCache?>? Swapped;

    /// <inheritdoc />
    public event Action<string>? KeyInvalidated;

    /// <inheritdoc />
    public event Action<string>? TagInvalidated;

    /// <summary>
    /// Reads the section again and swaps the tier when its values changed (called on every reload of
    /// the section; call it yourself for a configuration source that does not signal reloads).
    /// </summary>
    /// <returns>True when the tier was swapped.</returns>
    public bool Reload()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            string fingerprint = Fingerprint(_section);
            if (fingerprint == _fingerprint)
            {
                return false;
            }
            IDistributedCache? created;
            try
            {
                created = _create(_section);
            }
            catch (Exception ex)
            {
                Log.ReloadFailed(_logger, Kind, ex);
                return false;
            }
            if (created is not null && _readOnly)
            {
                (created as ICacheTier)?.MakeReadOnly();
            }
            _fingerprint = fingerprint;
            Lease old = _current;
            Unsubscribe(old.Tier);
            Volatile.Write(ref _current, new Lease(created));
            Subscribe(created);
            Swaps++;
            Log.Swapped(_logger, Kind, created is not null);
            Retire(old);
        }
        Swapped?.Invoke(Current);
        return true;
    }

    // The old tier goes when its last operation has finished (now, if none is running).
    private static void Retire(Lease old)
    {
        old.Retired = true;
        if (old.Users == 0)
        {
            old.DisposeTier();
        }
    }

    private static string Fingerprint(IConfiguration section) =>
        string.Join('\n', section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null)
            .OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
            .Select(pair => pair.Key.ToUpperInvariant() + "=" + pair.Value));

    private void Subscribe(IDistributedCache? tier)
    {
        if (tier is ICacheInvalidationBus bus)
        {
            bus.KeyInvalidated += OnKey;
            bus.TagInvalidated += OnTag;
        }
    }

    private void Unsubscribe(IDistributedCache? tier)
    {
        if (tier is ICacheInvalidationBus bus)
        {
            bus.KeyInvalidated -= OnKey;
            bus.TagInvalidated -= OnTag;
        }
    }

    private void OnKey(string key) => KeyInvalidated?.Invoke(key);

    private void OnTag(string tag) => TagInvalidated?.Invoke(tag);

    private Lease Enter()
    {
        lock (_gate)
        {
            Lease lease = _current;
            lease.Users++;
            return lease;
        }
    }

    private void Exit(Lease lease)
    {
        lock (_gate)
        {
            lease.Users--;
            if (lease.Retired && lease.Users == 0)
            {
                lease.DisposeTier();
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> on the current tier, which is not disposed before it finishes; <paramref name="off"/> while switched off.</summary>
    private protected async Task<TResult> RunAsync<TResult>(Func<IDistributedCache, Task<TResult>> call, TResult off)
    {
        Lease lease = Enter();
        try
        {
            return lease.Tier is { } tier ? await call(tier).ConfigureAwait(false) : off;
        }
        finally
        {
            Exit(lease);
        }
    }

    private Task<bool> RunAsync(Func<IDistributedCache, Task> call) =>
        RunAsync<bool>(async tier =>
        {
            await call(tier).ConfigureAwait(false);
            return true;
        }, false);

    /// <inheritdoc />
    public TimeSpan? MaxTtl => (Current as ICacheTier)?.MaxTtl;

    /// <inheritdoc />
    public Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default) =>
        RunAsync<TierValue?>(async tier =>
        {
            if (tier is ICacheTier bounded)
            {
                return await bounded.GetBoundedAsync(key, maximumBytes, token).ConfigureAwait(false);
            }
            byte[]? value = await tier.GetAsync(key, token).ConfigureAwait(false);
            return value is null || value.LongLength > maximumBytes ? null : new TierValue(value, null);
        }, null);

    /// <inheritdoc />
    public void MakeReadOnly()
    {
        lock (_gate)
        {
            _readOnly = true;
            (_current.Tier as ICacheTier)?.MakeReadOnly();
        }
    }

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => RunAsync(tier => tier.GetAsync(key, token), null);

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        RunAsync(tier => tier.SetAsync(key, value, options, token));

    /// <inheritdoc />
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => RunAsync(tier => tier.RefreshAsync(key, token));

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) => RunAsync(tier => tier.RemoveAsync(key, token));

    /// <inheritdoc />
    public Task PublishKeyAsync(string key) => RunAsync(tier => tier is ICacheInvalidationBus bus ? bus.PublishKeyAsync(key) : Task.CompletedTask);

    /// <inheritdoc />
    public Task PublishTagAsync(string tag) => RunAsync(tier => tier is ICacheInvalidationBus bus ? bus.PublishTagAsync(tag) : Task.CompletedTask);

    /// <summary>Stops following the section and disposes the current tier once its operations have finished.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops following the section and disposes the current tier once its operations have finished.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        _reloads.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Unsubscribe(_current.Tier);
            Retire(_current);
        }
    }

    /// <summary>The operations running on one tier instance; disposed when retired and idle.</summary>
    private sealed class Lease(IDistributedCache? tier)
    {
        private int _disposed;

        public IDistributedCache? Tier { get; } = tier;

        public int Users { get; set; }

        public bool Retired { get; set; }

        public void DisposeTier()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ((Tier is ReadOnlyTier wrapper ? wrapper.Inner : Tier) as IDisposable)?.Dispose();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "LlmCache tier {Kind} follows a configuration reload: switched on {On}")]
        public static partial void Swapped(ILogger logger, string kind, bool on);

        [LoggerMessage(EventId = 141, Level = LogLevel.Warning, Message = "LlmCache tier {Kind} could not be rebuilt from the reloaded configuration; the current tier is kept")]
        public static partial void ReloadFailed(ILogger logger, string kind, Exception exception);
    }
}

/// <summary>A configured tier whose type keeps a semantic index log (Redis, disk): the log of the tier serving now.</summary>
internal sealed class ConfiguredIndexLogTier(IConfiguration section, Func<IConfiguration, IDistributedCache?> create, string kind, ILogger? logger)
    : ConfiguredTier(section, create, kind, logger), ISemanticIndexLog
{
    public ValueTask AppendAsync(string partition, ReadOnlyMemory<byte> record, TimeSpan keepFor, CancellationToken cancellationToken) =>
        new(RunAsync(async tier =>
        {
            if (tier is ISemanticIndexLog log)
            {
                await log.AppendAsync(partition, record, keepFor, cancellationToken).ConfigureAwait(false);
            }
            return true;
        }, false));

    public async ValueTask<SemanticLogPage> ReadAsync(string partition, long from, CancellationToken cancellationToken) =>
        await RunAsync(async tier => tier is ISemanticIndexLog log
            ? await log.ReadAsync(partition, from, cancellationToken).ConfigureAwait(false)
            : new SemanticLogPage([], from), new SemanticLogPage([], from)).ConfigureAwait(false);
}
