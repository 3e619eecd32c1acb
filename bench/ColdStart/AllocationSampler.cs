using System.Diagnostics.Tracing;

/// <summary>
/// Which types the hits allocate: the runtime's allocation-tick events (one per ~100 KB allocated),
/// counted by type name. A diagnostic for <c>child --alloc-types</c>, not part of a measurement.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, int> _types = new();

    public bool Recording { get; set; }

    /// <summary>The operating system's id of the thread whose allocations are counted.</summary>
    public long MeasuringThread { get; set; } = ThreadCpu.OsThreadId();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!Recording || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }
        int at = e.PayloadNames.IndexOf("TypeName");
        string name = at >= 0 ? e.Payload?[at] as string ?? "?" : "?";
        // Events reach the listener on a dispatcher thread (which allocates too): only the measuring thread's count.
        if (e.OSThreadId != MeasuringThread)
        {
            return;
        }
        string key = name;
        lock (_types)
        {
            _types[key] = _types.GetValueOrDefault(key) + 1;
        }
    }

    public void Print()
    {
        lock (_types)
        {
            foreach ((string name, int count) in _types.OrderByDescending(p => p.Value))
            {
                Console.Error.WriteLine($"{count,6} x ~100 KB  {name}");
            }
        }
    }
}
