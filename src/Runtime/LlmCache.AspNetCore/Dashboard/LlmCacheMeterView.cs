using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace LlmCache.AspNetCore;

/// <summary>
/// What the runtime's meter reports beyond its counters — latencies, tokens and cost by model, errors by
/// operation, tier calls dropped — summed by a <see cref="MeterListener"/> from the moment the endpoints
/// are mapped. Nothing is added to the runtime's hot path: the histograms it skips while nobody listens
/// are recorded only while this listener is alive.
/// </summary>
internal sealed class LlmCacheMeterView : IDisposable
{
    private const string MeterName = "LlmCache";

    private readonly MeterListener _listener = new();
    private readonly object? _scope;
    private readonly ConcurrentDictionary<(string Method, bool Hit), Sum> _lookups = new();
    private readonly ConcurrentDictionary<string, Sum> _methodDurations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Method, string Model), ModelSum> _models = new();
    private readonly ConcurrentDictionary<string, Sum> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tier, string Operation), Sum> _drops = new();

    /// <param name="scope">
    /// The <see cref="IMeterFactory"/> that created the runtime's meter (a runtime from the container),
    /// or null for a runtime that owns its meter; only that meter's instruments are read.
    /// </param>
    public LlmCacheMeterView(object? scope)
    {
        _scope = scope;
        Since = DateTimeOffset.UtcNow;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, _scope) && Watches(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((LlmCacheMeterView)state!).Measured(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((LlmCacheMeterView)state!).Measured(instrument.Name, value, tags));
        _listener.Start();
    }

    /// <summary>When the view started counting.</summary>
    public DateTimeOffset Since { get; }

    private static bool Watches(string instrument) => instrument is "llmcache.lookup.duration" or "llmcache.method.duration"
        or "llmcache.tokens.saved" or "llmcache.cost.saved" or "llmcache.errors" or "llmcache.tier.dropped";

    private void Measured(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string method = Tag(tags, "llmcache.method") ?? "";
        switch (instrument)
        {
            case "llmcache.lookup.duration":
                _lookups.GetOrAdd((method, Tag(tags, "llmcache.hit") == "True"), static _ => new Sum()).Add(value);
                break;
            case "llmcache.method.duration":
                _methodDurations.GetOrAdd(method, static _ => new Sum()).Add(value);
                break;
            case "llmcache.tokens.saved":
                ModelSum tokens = _models.GetOrAdd((method, Tag(tags, "llmcache.model") ?? "unknown"), static _ => new ModelSum());
                if (Tag(tags, "llmcache.direction") == "output")
                {
                    Interlocked.Add(ref tokens.Output, (long)value);
                }
                else
                {
                    Interlocked.Add(ref tokens.Input, (long)value);
                }
                break;
            case "llmcache.cost.saved":
                _models.GetOrAdd((method, Tag(tags, "llmcache.model") ?? "unknown"), static _ => new ModelSum()).AddCost(value);
                break;
            case "llmcache.errors":
                _errors.GetOrAdd(Tag(tags, "llmcache.operation") ?? "unknown", static _ => new Sum()).Add(value);
                break;
            case "llmcache.tier.dropped":
                _drops.GetOrAdd((Tag(tags, "llmcache.tier") ?? "unknown", Tag(tags, "llmcache.operation") ?? "unknown"), static _ => new Sum()).Add(value);
                break;
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value switch
                {
                    null => null,
                    bool b => b ? "True" : "False",
                    _ => Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        }
        return null;
    }

    /// <summary>The figures so far, for <c>GET stats</c>.</summary>
    public LlmCacheMeterResponse Snapshot()
    {
        Sum hits = new(), misses = new(), methods = new();
        var perMethod = new Dictionary<string, LlmCacheMethodLatencyResponse>(StringComparer.Ordinal);
        foreach (KeyValuePair<(string Method, bool Hit), Sum> pair in _lookups)
        {
            (pair.Key.Hit ? hits : misses).Merge(pair.Value);
        }
        foreach (Sum sum in _methodDurations.Values)
        {
            methods.Merge(sum);
        }
        foreach (string method in _lookups.Keys.Select(k => k.Method).Concat(_methodDurations.Keys).Distinct(StringComparer.Ordinal))
        {
            perMethod[method] = new LlmCacheMethodLatencyResponse(method,
                Latency(_lookups.TryGetValue((method, true), out Sum? h) ? h : null),
                Latency(_lookups.TryGetValue((method, false), out Sum? m) ? m : null),
                Latency(_methodDurations.TryGetValue(method, out Sum? d) ? d : null));
        }
        return new LlmCacheMeterResponse(Since,
            new LlmCacheLatencyResponse(Latency(hits), Latency(misses), Latency(methods)),
            [.. perMethod.Values.OrderBy(m => m.MethodId, StringComparer.Ordinal)],
            [.. _models.Select(p => new LlmCacheModelSavingsResponse(p.Key.Method, p.Key.Model, Interlocked.Read(ref p.Value.Input),
                    Interlocked.Read(ref p.Value.Output), Math.Round(p.Value.Cost, 9)))
                .OrderByDescending(m => m.CostSaved).ThenByDescending(m => m.InputTokensSaved + m.OutputTokensSaved)],
            [.. _errors.Select(p => new LlmCacheCountResponse(p.Key, p.Value.Count)).OrderByDescending(c => c.Count)],
            [.. _drops.Select(p => new LlmCacheCountResponse(p.Key.Tier + " " + p.Key.Operation, (long)p.Value.Total)).OrderByDescending(c => c.Count)]);
    }

    private static LlmCacheTimingResponse Latency(Sum? sum) => sum is null || sum.Count == 0
        ? new LlmCacheTimingResponse(0, 0)
        : new LlmCacheTimingResponse(sum.Count, Math.Round(sum.Total / sum.Count * 1000, 4));

    public void Dispose() => _listener.Dispose();

    /// <summary>A count and a total, added to from any thread without a lock (the total in billionths, as the runtime keeps costs).</summary>
    private sealed class Sum
    {
        private long _count;
        private long _totalNanos;

        public long Count => Interlocked.Read(ref _count);

        public double Total => Interlocked.Read(ref _totalNanos) / 1e9;

        public void Add(double value)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _totalNanos, (long)(value * 1e9));
        }

        public void Merge(Sum other)
        {
            Interlocked.Add(ref _count, other.Count);
            Interlocked.Add(ref _totalNanos, Interlocked.Read(ref other._totalNanos));
        }
    }

    /// <summary>Tokens and cost saved for one method and model (the cost in billionths, added without a lock).</summary>
    private sealed class ModelSum
    {
        public long Input;
        public long Output;
        private long _costNanos;

        public double Cost => Interlocked.Read(ref _costNanos) / 1e9;

        public void AddCost(double value) => Interlocked.Add(ref _costNanos, (long)Math.Round(value * 1e9));
    }
}
