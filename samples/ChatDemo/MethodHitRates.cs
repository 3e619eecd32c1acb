using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ChatDemo;

/// <summary>Reads per-method hits and misses from the runtime's <c>LlmCache</c> meter.</summary>
internal sealed class MethodHitRates : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (long Hits, long Misses)> _counts = new();

    public MethodHitRates(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name is "llmcache.hits" or "llmcache.misses")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string method = "?";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "llmcache.method")
                {
                    method = tag.Value as string ?? "?";
                }
            }
            bool hit = instrument.Name == "llmcache.hits";
            _counts.AddOrUpdate(method, _ => hit ? (value, 0) : (0, value), (_, c) => hit ? (c.Hits + value, c.Misses) : (c.Hits, c.Misses + value));
        });
        _listener.Start();
    }

    public IReadOnlyDictionary<string, (long Hits, long Misses)> Snapshot() => new Dictionary<string, (long, long)>(_counts);

    public void Dispose() => _listener.Dispose();
}
