using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
    private long _hits;
    private long _misses;
    private long _errors;
    private long _keyFailures;
    private volatile bool _enabled;
    private int _generation;

    /// <summary>Creates a runtime that caches in process memory.</summary>
    /// <param name="options">Options; defaults apply when null.</param>
    /// <param name="timeProvider">The clock used for expiry and ages; the system clock when null.</param>
    /// <param name="loggerFactory">Where the runtime logs; nowhere when null.</param>
    public LlmCacheRuntime(LlmCacheOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new LlmCacheOptions();
        Options.Validate();
        _enabled = Options.Enabled;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("LlmCache") ?? NullLogger.Instance;
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
            string ns = Options.Namespace;
            TimeSpan ttl = Options.DefaultTtl;
            bool enabled = Options.Enabled;
            configure(Options);
            try
            {
                Options.Validate();
            }
            catch
            {
                Options.Namespace = ns;
                Options.DefaultTtl = ttl;
                Options.Enabled = enabled;
                throw;
            }
            _enabled = Options.Enabled;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>Removes the entry stored under <paramref name="key"/> from every level.</summary>
    /// <param name="key">A key as produced for a cached call.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        _cache.RemoveAsync(key, cancellationToken);

    /// <summary>Removes every entry carrying <paramref name="tag"/>.</summary>
    /// <param name="tag">A tag from <see cref="LlmCachedAttribute.Tags"/>.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        _cache.RemoveByTagAsync(tag, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

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

    // ---- the call paths generated interceptors use ------------------------------------------

    /// <summary>Serves a <c>Task&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<T> GetOrCreateTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        Func<TState, CancellationToken, Task<T>> factory, CancellationToken cancellationToken)
    {
        string? key = TryBuildKey(method, in state, writeKey);
        return key is null
            ? factory(state, cancellationToken)
            : GetOrCreateCoreAsync(method, key, state, factory, cancellationToken).AsTask();
    }

    /// <summary>Serves a <c>ValueTask&lt;T&gt;</c> method through the cache (generated code only).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<T> GetOrCreateValueTaskAsync<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        Func<TState, CancellationToken, ValueTask<T>> factory, CancellationToken cancellationToken)
    {
        string? key = TryBuildKey(method, in state, writeKey);
        return key is null
            ? factory(state, cancellationToken)
            : GetOrCreateCoreAsync(method, key, state, factory, static (s, ct) => s.Factory(s.State, ct), cancellationToken);
    }

    /// <summary>
    /// Serves an <c>IAsyncEnumerable&lt;T&gt;</c> method through the cache (generated code only): a hit
    /// replays the stored items; a miss passes items to the caller as they arrive and stores them
    /// only when the stream completes.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IAsyncEnumerable<T> GetOrCreateStream<TState, T>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey,
        Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, CancellationToken cancellationToken)
    {
        string? key = TryBuildKey(method, in state, writeKey);
        return key is null
            ? factory(state, cancellationToken)
            : StreamCoreAsync(method, key, state, factory, cancellationToken);
    }

    private string? TryBuildKey<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey)
    {
        if (!_enabled)
        {
            return null;
        }
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        KeyWriter writer = KeyWriter.Rent(settings.Prefix);
        try
        {
            writeKey(writer, in state);
            return writer.Complete();
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _keyFailures);
            Log.KeyFailed(_logger, method.Id, ex);
            return null;
        }
        finally
        {
            writer.Dispose();
        }
    }

    private ValueTask<T> GetOrCreateCoreAsync<TState, T>(LlmCachedMethod method, string key, TState state,
        Func<TState, CancellationToken, Task<T>> factory, CancellationToken cancellationToken) =>
        GetOrCreateCoreAsync(method, key, state, factory, static (s, ct) => new ValueTask<T>(s.Factory(s.State, ct)), cancellationToken);

    private async ValueTask<T> GetOrCreateCoreAsync<TState, TFactory, T>(LlmCachedMethod method, string key, TState state,
        TFactory factory, Func<(TState State, TFactory Factory), CancellationToken, ValueTask<T>> invoke, CancellationToken cancellationToken)
    {
        _serializers.Register<T>();
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        // HybridCache hands even the caller whose factory ran a deserialized copy, so whether this call
        // ran the method is recorded on a small object the factory can reach.
        var outcome = new CallOutcome<T>();
        CacheEntry<T> entry;
        try
        {
            entry = await _cache.GetOrCreateAsync(
                key,
                (Runtime: this, Settings: settings, Args: (State: state, Factory: factory), Invoke: invoke, Outcome: outcome),
                static async (s, ct) =>
                {
                    T value;
                    s.Outcome.RanMethod = true;
                    Interlocked.Increment(ref s.Runtime._misses);
                    try
                    {
                        value = await s.Invoke(s.Args, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        // Marked so the caller can tell the method's own failure from the cache's.
                        throw new MethodFailedException(ex);
                    }
                    s.Outcome.Value = value;
                    return s.Runtime.NewEntry(value, s.Settings.Ttl);
                },
                settings.EntryOptions,
                method.Tags,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MethodFailedException failed)
        {
            ExceptionDispatchInfo.Capture(failed.InnerException!).Throw();
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The cache failed, not the method: the caller still gets its answer.
            Interlocked.Increment(ref _errors);
            Log.CacheFailed(_logger, method.Id, ex);
            // If the method already answered (the cache failed storing it), never ask it twice.
            return outcome.RanMethod
                ? outcome.Value!
                : await invoke((state, factory), cancellationToken).ConfigureAwait(false);
        }

        if (entry.ExpiresUtcTicks <= _time.GetUtcNow().UtcTicks)
        {
            // Expired by this runtime's clock though a level still held it: refresh.
            T fresh = await invoke((state, factory), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _misses);
            await StoreAsync(key, NewEntry(fresh, settings.Ttl), settings, method, cancellationToken).ConfigureAwait(false);
            return fresh;
        }

        if (!outcome.RanMethod)
        {
            Interlocked.Increment(ref _hits);
        }
        return entry.Value;
    }

    private async IAsyncEnumerable<T> StreamCoreAsync<TState, T>(LlmCachedMethod method, string key, TState state,
        Func<TState, CancellationToken, IAsyncEnumerable<T>> factory, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _serializers.Register<T[]>();
        LlmCachedMethod.KeySettings settings = method.SettingsFor(this);
        CacheEntry<T[]>? cached = await TryGetAsync<T[]>(key, method, cancellationToken).ConfigureAwait(false);
        if (cached is not null && cached.ExpiresUtcTicks > _time.GetUtcNow().UtcTicks)
        {
            Interlocked.Increment(ref _hits);
            foreach (T item in cached.Value)
            {
                yield return item;
            }
            yield break;
        }

        Interlocked.Increment(ref _misses);
        var items = new List<T>();
        await foreach (T item in factory(state, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
            yield return item;
        }
        // Reached only when the stream completed: an abandoned or failed stream stores nothing.
        await StoreAsync(key, NewEntry(items.ToArray(), settings.Ttl), settings, method, CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask<CacheEntry<T>?> TryGetAsync<T>(string key, LlmCachedMethod method, CancellationToken cancellationToken)
    {
        try
        {
            return await _cache.GetOrCreateAsync<CacheEntry<T>?>(
                key,
                static _ => ValueTask.FromResult<CacheEntry<T>?>(null),
                ReadOnlyEntry,
                null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _errors);
            Log.CacheFailed(_logger, method.Id, ex);
            return null;
        }
    }

    private async ValueTask StoreAsync<T>(string key, CacheEntry<T> entry, LlmCachedMethod.KeySettings settings,
        LlmCachedMethod method, CancellationToken cancellationToken)
    {
        try
        {
            await _cache.SetAsync(key, entry, settings.EntryOptions, method.Tags, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _errors);
            Log.CacheFailed(_logger, method.Id, ex);
        }
    }

    private CacheEntry<T> NewEntry<T>(T value, TimeSpan ttl)
    {
        long now = _time.GetUtcNow().UtcTicks;
        long expires = ttl.Ticks >= DateTime.MaxValue.Ticks - now ? DateTime.MaxValue.Ticks : now + ttl.Ticks;
        return new CacheEntry<T>(value, now, expires);
    }

    private static readonly HybridCacheEntryOptions ReadOnlyEntry = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    /// <summary>What the factory did for one call: HybridCache hands the caller a copy, so this is how the caller learns it.</summary>
    private sealed class CallOutcome<T>
    {
        public bool RanMethod;
        public T? Value;
    }

    /// <summary>Carries a cached method's own exception through HybridCache, which never stores it.</summary>
    private sealed class MethodFailedException(Exception inner) : Exception(inner.Message, inner);
}
