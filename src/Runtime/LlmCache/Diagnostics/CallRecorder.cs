using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LlmCache;

/// <summary>The names of the tags on the runtime's measurements and spans, in one place.</summary>
internal static class TagNames
{
    public const string Method = "llmcache.method";
    public const string Level = "llmcache.level";
    public const string Hit = "llmcache.hit";
    public const string Operation = "llmcache.operation";
    public const string Reason = "llmcache.reason";
    public const string Tier = "llmcache.tier";
    public const string State = "llmcache.state";
    public const string KeyHash = "llmcache.key_hash";
    public const string Control = "llmcache.control";
    public const string Outcome = "llmcache.outcome";
    public const string Model = "llmcache.model";
    public const string Direction = "llmcache.direction";
    public const string Currency = "llmcache.currency";
    public const string CacheHit = "cache.hit";
}

/// <summary>Why a fresh result was not stored (the <c>llmcache.reason</c> tag of <c>llmcache.stores.skipped</c>).</summary>
internal static class SkipReasons
{
    public const string NoStore = "no-store";
    public const string ResultTtl = "result-ttl";
    public const string TooLarge = "too-large";
    public const string Unfinished = "unfinished";
    public const string Cancelled = "cancelled";
    public const string NotCopyable = "not-copyable";
    public const string NotSerializable = "not-serializable";
    public const string Removed = "removed";
}

/// <summary>
/// Everything the runtime reports about calls — counters, histograms, spans, the caller's probe and
/// logs — so that each path (generated calls, streams, middleware) records an outcome the same way.
/// </summary>
internal sealed class CallRecorder
{
    private readonly ConcurrentDictionary<string, byte> _loggedOnce = new(StringComparer.Ordinal);
    private long _hits;
    private long _misses;
    private long _errors;
    private long _keyFailures;
    private long _failSafeServed;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, MethodCounters> _byMethod = new(StringComparer.Ordinal);

    /// <summary>The counters of <paramref name="method"/> (by id, so two descriptors of one method share them).</summary>
    public MethodCounters CountersOf(LlmCachedMethod method) => _byMethod.GetOrAdd(method.Id, static id => new MethodCounters(id));

    /// <summary>The counters of the method <paramref name="methodId"/>, or null when it has not been called in this runtime.</summary>
    public MethodCounters? FindCounters(string methodId) => _byMethod.TryGetValue(methodId, out MethodCounters? counters) ? counters : null;

    /// <summary>Every method's counters.</summary>
    public ICollection<MethodCounters> Methods => _byMethod.Values;
    private long _inputTokensSaved;
    private long _outputTokensSaved;
    private long _costSavedNanos; // billionths of the currency: added without a lock
    private volatile PriceCache? _priceCache;

    /// <summary>The prices found per model id for one price table (a prefix match is a scan: made once per model).</summary>
    private sealed record PriceCache(IDictionary<string, ModelPrice> Table, System.Collections.Concurrent.ConcurrentDictionary<string, ModelPrice?> Found);

    private ModelPrice? PriceOf(IDictionary<string, ModelPrice> table, string? model)
    {
        if (model is null)
        {
            return null;
        }
        PriceCache? cache = _priceCache;
        if (cache is null || !ReferenceEquals(cache.Table, table))
        {
            // A reconfiguration brings a new table; in-place edits of the table are seen by exact ids at once.
            _priceCache = cache = new PriceCache(table, new(StringComparer.OrdinalIgnoreCase));
        }
        if (table.TryGetValue(model, out ModelPrice? exact))
        {
            return exact;
        }
        return cache.Found.Count < 1024 ? cache.Found.GetOrAdd(model, static (m, t) => ModelPrices.Find(t, m), table) : ModelPrices.Find(table, model);
    }

    public CallRecorder(LlmCacheTelemetry telemetry, ILogger logger)
    {
        Telemetry = telemetry;
        Logger = logger;
    }

    public LlmCacheTelemetry Telemetry { get; }

    public ILogger Logger { get; }

    public LlmCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _keyFailures),
        Interlocked.Read(ref _failSafeServed),
        Interlocked.Read(ref _inputTokensSaved),
        Interlocked.Read(ref _outputTokensSaved),
        CostSavedSoFar());

    private decimal CostSavedSoFar() => Interlocked.Read(ref _costSavedNanos) / 1_000_000_000m;

    /// <summary>The last 16 hex digits of the key: enough to correlate, nothing of the inputs.</summary>
    public static string KeyHash(in CallKey key)
    {
        Span<char> hex = stackalloc char[16];
        Digest256.WriteHex(key.Digest.D, hex);
        return new string(hex);
    }

    /// <summary>A call answered from the cache, from <paramref name="source"/>.</summary>
    public void Hit(in CallKey key, long started, CacheSource source, in TokenUsage usage, Activity? current = null, CacheEntry? entry = null)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        Interlocked.Increment(ref _hits);
        settings.Counters.Hit(source);
        decimal? cost = usage.IsEmpty ? null : Saved(settings, usage, entry);
        string level = source == CacheSource.Memory ? "memory" : "distributed";
        // Instruments without a listener are skipped, not called: a hit of a process that exports no
        // metrics does no metric work, and a cold process compiles none of it on its first hit.
        if (Telemetry.Hits.Enabled)
        {
            Telemetry.Hits.Add(1, settings.Tag, new(TagNames.Level, level));
        }
        if (Telemetry.LookupDuration.Enabled)
        {
            Telemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, settings.Tag, new(TagNames.Hit, true));
        }
        string? hash = null;
        if (current is not null || LlmCacheTelemetry.ActivitySource.HasListeners())
        {
            using Activity? activity = current ?? LlmCacheTelemetry.ActivitySource.StartActivity("llmcache.get");
            if (activity is not null)
            {
                hash = KeyHash(key);
                activity.SetTag(TagNames.CacheHit, true);
                activity.SetTag(TagNames.Method, settings.Method.Id);
                activity.SetTag(TagNames.KeyHash, hash);
                activity.SetTag(TagNames.Level, level);
            }
        }
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            Log.Hit(Logger, settings.Method.Id, hash ??= KeyHash(key));
        }
        if (LlmCacheScope.CurrentProbe is { } probe)
        {
            probe.Record(new CacheOutcome(settings.Method.Id, true, source, false, hash ?? KeyHash(key))
            {
                InputTokensSaved = usage.Input,
                OutputTokensSaved = usage.Output,
                CostSaved = cost,
            });
        }
    }

    /// <summary>Counts what a hit saved: its tokens, and their cost at the model's price (null when the model has none).</summary>
    private decimal? Saved(LlmCachedMethod.KeySettings settings, in TokenUsage usage, CacheEntry? entry = null)
    {
        LlmCacheOptions options = settings.Runtime.Options;
        var model = new KeyValuePair<string, object?>(TagNames.Model, usage.Model ?? "unknown");
        if (Telemetry.TokensSaved.Enabled)
        {
            Telemetry.TokensSaved.Add(usage.Input, settings.Tag, model, new(TagNames.Direction, "input"));
            Telemetry.TokensSaved.Add(usage.Output, settings.Tag, model, new(TagNames.Direction, "output"));
        }
        Interlocked.Add(ref _inputTokensSaved, usage.Input);
        Interlocked.Add(ref settings.Counters.InputTokensSaved, usage.Input);
        Interlocked.Add(ref settings.Counters.OutputTokensSaved, usage.Output);
        Interlocked.Add(ref _outputTokensSaved, usage.Output);
        if (PriceOf(options.Prices, usage.Model) is not { } price)
        {
            return null;
        }
        // An entry's usage never changes (its value is the cache's own), so its saving is computed again only
        // for another price or an edited one.
        SavedCost? saving = entry?.LastSaving;
        if (saving is null || !ReferenceEquals(saving.Price, price) || saving.Version != price.Version)
        {
            int version = price.Version;
            decimal computed = price.CostOf(usage);
            saving = new SavedCost(price, version, computed, (long)(computed * 1_000_000_000m));
            if (entry is not null)
            {
                entry.LastSaving = saving;
            }
        }
        if (Telemetry.CostSaved.Enabled)
        {
            Telemetry.CostSaved.Add((double)saving.Cost, settings.Tag, model, new(TagNames.Currency, options.PriceCurrency));
        }
        Interlocked.Add(ref _costSavedNanos, saving.Nanos);
        Interlocked.Add(ref settings.Counters.CostSavedNanos, saving.Nanos);
        return saving.Cost;
    }

    /// <summary>
    /// A call answered by a stale entry: its method failed (<paramref name="failure"/>), or it came
    /// within the fail-safe throttle after such a call. Counted as a hit and as fail-safe served.
    /// </summary>
    public void Stale(in CallKey key, long started, CacheSource source, long createdTicks, long nowTicks, in TokenUsage usage, Exception? failure,
        string reason = "failure")
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        Interlocked.Increment(ref _hits);
        decimal? cost = usage.IsEmpty ? null : Saved(settings, usage);
        Interlocked.Increment(ref _failSafeServed);
        Interlocked.Increment(ref settings.Counters.FailSafeServed);
        settings.Counters.Hit(source);
        string level = source == CacheSource.Memory ? "memory" : "distributed";
        Telemetry.Hits.Add(1, settings.Tag, new(TagNames.Level, level));
        Telemetry.FailSafeServed.Add(1, settings.Tag, new(TagNames.Level, level), new(TagNames.Reason, failure is null && reason == "failure" ? "throttle" : reason));
        Telemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, settings.Tag, new(TagNames.Hit, true));
        string hash = KeyHash(key);
        var age = TimeSpan.FromTicks(Math.Max(0, nowTicks - createdTicks));
        // Once per entry (its creation time stands for its window): a provider down for an hour logs once per key, not per call.
        if (failure is not null && Once("failsafe:" + settings.Method.Id + ":" + hash + ":" + createdTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            Log.FailSafeServed(Logger, settings.Method.Id, hash, age, failure);
        }
        LlmCacheScope.CurrentProbe?.Record(new CacheOutcome(settings.Method.Id, true, source, false, hash)
        {
            Stale = true,
            Age = age,
            InputTokensSaved = usage.Input,
            OutputTokensSaved = usage.Output,
            CostSaved = cost,
        });
    }

    /// <summary>A call answered by a stored call that means the same: counted as a hit at level <c>semantic</c>, with its similarity.</summary>
    public void SemanticHit(in CallKey key, in CallKey matched, long started, double similarity, in TokenUsage usage)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        Interlocked.Increment(ref _hits);
        settings.Counters.Hit(CacheSource.Semantic);
        decimal? cost = usage.IsEmpty ? null : Saved(settings, usage);
        Telemetry.Hits.Add(1, settings.Tag, new(TagNames.Level, "semantic"));
        Telemetry.SemanticSimilarity.Record(similarity, settings.Tag);
        Telemetry.LookupDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, settings.Tag, new(TagNames.Hit, true));
        string hash = KeyHash(key);
        string matchedHash = KeyHash(matched);
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            Log.SemanticHit(Logger, settings.Method.Id, hash, matchedHash, similarity);
        }
        LlmCacheScope.CurrentProbe?.Record(new CacheOutcome(settings.Method.Id, true, CacheSource.Semantic, false, hash)
        {
            InputTokensSaved = usage.Input,
            OutputTokensSaved = usage.Output,
            CostSaved = cost,
            Similarity = similarity,
            MatchedKeyHash = matchedHash,
        });
    }

    /// <summary>Shadow mode: the method answered a call a stored call would have answered; whether the two answers agreed.</summary>
    public void SemanticShadow(in CallKey key, in CallKey matched, double similarity, bool agreed)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        Telemetry.SemanticShadow.Add(1, settings.Tag, new(TagNames.Outcome, agreed ? "agreed" : "differed"));
        Telemetry.SemanticSimilarity.Record(similarity, settings.Tag, new(TagNames.Outcome, agreed ? "shadow-agreed" : "shadow-differed"));
        string hash = KeyHash(key);
        string matchedHash = KeyHash(matched);
        Log.SemanticShadow(Logger, settings.Method.Id, hash, matchedHash, similarity, agreed);
    }

    /// <summary>A candidate over the threshold that a guard refused.</summary>
    public void SemanticRejected(LlmCachedMethod.KeySettings settings, SemanticGuards guard) =>
        Telemetry.SemanticRejected.Add(1, settings.Tag, new(TagNames.Reason, guard.ToString().ToLowerInvariant()));

    /// <summary>A method call finished in the background: <paramref name="outcome"/> is stored, not-stored, discarded or failed.</summary>
    public void Refreshed(LlmCachedMethod.KeySettings settings, string outcome) =>
        Telemetry.Refreshes.Add(1, settings.Tag, new(TagNames.Outcome, outcome));

    /// <summary>A call the method answered: its lookup time (without the method's), span tags, log and probe.</summary>
    public void Miss(in CallKey key, Activity? activity, long started, long methodTicks, bool stored, CacheControl? control)
    {
        LlmCachedMethod.KeySettings settings = key.Settings;
        string hash = KeyHash(key);
        double lookup = Stopwatch.GetElapsedTime(started).TotalSeconds - (double)methodTicks / Stopwatch.Frequency;
        Telemetry.LookupDuration.Record(Math.Max(0, lookup), settings.Tag, new(TagNames.Hit, false));
        Log.Miss(Logger, settings.Method.Id, hash);
        if (activity is not null)
        {
            activity.SetTag(TagNames.CacheHit, false);
            activity.SetTag(TagNames.Method, settings.Method.Id);
            activity.SetTag(TagNames.KeyHash, hash);
            if (control is not null)
            {
                activity.SetTag(TagNames.Control, control.NoCache ? "no-cache" : control.NoStore ? "no-store" : "custom");
            }
        }
        LlmCacheScope.CurrentProbe?.Record(new CacheOutcome(settings.Method.Id, false, CacheSource.Method, stored, hash));
    }

    /// <summary>The method is about to run for this call.</summary>
    public void MethodStarting(LlmCachedMethod.KeySettings settings)
    {
        Interlocked.Increment(ref _misses);
        Interlocked.Increment(ref settings.Counters.Misses);
        Telemetry.Misses.Add(1, settings.Tag);
    }

    /// <summary>The method completed after <paramref name="elapsedTicks"/> stopwatch ticks.</summary>
    public void MethodCompleted(LlmCachedMethod.KeySettings settings, long elapsedTicks) =>
        Telemetry.MethodDuration.Record((double)elapsedTicks / Stopwatch.Frequency, settings.Tag);

    /// <summary>A cache operation failed; the caller was (or will be) answered by the method.</summary>
    public void Error(LlmCachedMethod.KeySettings settings, string operation, Exception exception)
    {
        Interlocked.Increment(ref _errors);
        Telemetry.Errors.Add(1, settings.Tag, new(TagNames.Operation, operation));
        Log.CacheFailed(Logger, settings.Method.Id, exception);
    }

    /// <summary>A call's key could not be built; it runs uncached.</summary>
    public void KeyFailed(LlmCachedMethod.KeySettings settings, Exception exception)
    {
        Interlocked.Increment(ref _keyFailures);
        Telemetry.Errors.Add(1, settings.Tag, new(TagNames.Operation, "key"));
        if (Once("key:" + settings.Method.Id + ":" + exception.GetType().FullName))
        {
            Log.KeyFailed(Logger, settings.Method.Id, exception);
        }
    }

    /// <summary>A fresh result was stored.</summary>
    public void Stored(LlmCachedMethod.KeySettings settings) => Telemetry.Stores.Add(1, settings.Tag);

    /// <summary>A fresh result was not stored, for <paramref name="reason"/> (one of <see cref="SkipReasons"/>). Always false.</summary>
    public bool Skipped(LlmCachedMethod.KeySettings settings, string reason)
    {
        Telemetry.SkippedStores.Add(1, settings.Tag, new(TagNames.Reason, reason));
        settings.Counters.SkippedStores.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        return false;
    }

    /// <summary>A result type this runtime cannot store or copy: counted each time, logged once per method and reason.</summary>
    public bool Uncacheable(LlmCachedMethod.KeySettings settings, string reason, Exception exception)
    {
        Interlocked.Increment(ref _errors);
        Telemetry.Errors.Add(1, settings.Tag, new(TagNames.Operation, reason));
        if (Once(reason + ":" + settings.Method.Id))
        {
            Log.ResultUncacheable(Logger, settings.Method.Id, reason, exception);
        }
        return Skipped(settings, reason);
    }

    /// <summary>True the first time <paramref name="what"/> is seen (bounded, so a flood of distinct failures cannot grow it forever).</summary>
    public bool Once(string what) => _loggedOnce.Count < 4096 && _loggedOnce.TryAdd(what, 0);
}
