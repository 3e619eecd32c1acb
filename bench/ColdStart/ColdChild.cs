using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LlmCache;
using LlmCache.Benchmarks;
using Microsoft.Extensions.AI;

/// <summary>
/// One measurement in a fresh process: the runtime as an application creates it (memory only, no
/// disk, no servers), one miss that stores the answer, then N hits of the generated
/// <c>[LlmCached]</c> method, each timed on its own.
/// </summary>
internal static class ColdChild
{
    /// <summary>Every this many calls the trace also takes the thread's CPU time, page faults and gen0 count.</summary>
    private const int Every = 100;

    public static int Run(string[] args)
    {
        long mainEntered = Stopwatch.GetTimestamp();
        int hits = Arguments.Int(args, "--hits", 60_000) / Every * Every;
        // The driver's Stopwatch timestamp taken just before it started this process (the same
        // monotonic clock in every process of the machine); without it, the OS's start time (10 ms grain).
        long? launched = Arguments.Value(args, "--t0") is { } t0 ? long.Parse(t0, CultureInfo.InvariantCulture) : null;
        // --result string: the same request through the method with an immutable result (no copy per
        // hit, 0 B allocated), to tell the JIT's share of a cold hit from the allocations' share.
        bool text = Arguments.Value(args, "--result") == "string";

        var runtime = new LlmCacheRuntime();
        long runtimeCreated = Stopwatch.GetTimestamp();
        var agent = new CachedAgent(new InstantChatClient(), runtime);
        List<ChatMessage> messages = ChatWorkload.Messages();
        ChatOptions options = ChatWorkload.Options();
        long missStarted = Stopwatch.GetTimestamp();
        if (text)
        {
            MissText(agent, messages, options);
        }
        else
        {
            Miss(agent, messages, options);
        }
        if (args.Contains("--collect"))
        {
            // Experiment: a full collection before the first hit (the startup garbage gone, gen0 reused).
            GC.Collect();
        }
        var trace = new Trace(hits);
        using AllocationSampler? sampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;
        if (sampler is not null)
        {
            Thread.Sleep(100);
            sampler.Recording = true;
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        if (text)
        {
            TextHits(agent, messages, options, trace);
        }
        else
        {
            Hits(agent, messages, options, trace);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (sampler is not null)
        {
            sampler.Recording = false;
            sampler.Print();
        }

        LlmCacheStatistics stats = runtime.Statistics;
        if (stats.Hits != hits || stats.Misses != 1)
        {
            Console.Error.WriteLine($"expected {hits} hits and 1 miss, saw {stats.Hits} hits and {stats.Misses} misses");
            return 1;
        }
        long[] stamps = trace.Stamps;
        double launchToFirstHit = launched is { } l
            ? Micros(stamps[1] - l)
            : (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMicroseconds - Micros(Stopwatch.GetTimestamp() - stamps[1]);
        var result = ColdResult.From(stamps, trace.CpuNanos, Every, launchToFirstHit, Micros(missStarted - mainEntered), Micros(stamps[0] - missStarted),
            allocated / (double)hits);
        if (args.Contains("--profile"))
        {
            trace.Print(allocated);
        }
        Console.WriteLine(result.ToJson()[..^1] + string.Create(CultureInfo.InvariantCulture,
            $",\"runtime_ctor_us\":{Micros(runtimeCreated - mainEntered):F0}}}"));
        runtime.Dispose();
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Miss(CachedAgent agent, List<ChatMessage> messages, ChatOptions options) =>
        // The in-process level stores synchronously: the miss is complete when the task is.
        agent.AskAsync(messages, options).GetAwaiter().GetResult();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MissText(CachedAgent agent, List<ChatMessage> messages, ChatOptions options) =>
        agent.AskTextAsync(messages, options).GetAwaiter().GetResult();

    /// <summary>The hits of the chat method: a copy of the stored response per call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Hits(CachedAgent agent, List<ChatMessage> messages, ChatOptions options, Trace trace)
    {
        long[] stamps = trace.Stamps;
        trace.Sample(0);
        stamps[0] = Stopwatch.GetTimestamp();
        for (int i = 1; i < stamps.Length; i++)
        {
            Task<ChatResponse> hit = agent.AskAsync(messages, options);
            if (!hit.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("a hit must complete synchronously");
            }
            stamps[i] = Stopwatch.GetTimestamp();
            if (i % Every == 0)
            {
                trace.Sample(i / Every);
            }
        }
    }

    /// <summary>As <see cref="Hits"/>, through the method whose result is an immutable string.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TextHits(CachedAgent agent, List<ChatMessage> messages, ChatOptions options, Trace trace)
    {
        long[] stamps = trace.Stamps;
        trace.Sample(0);
        stamps[0] = Stopwatch.GetTimestamp();
        for (int i = 1; i < stamps.Length; i++)
        {
            Task<string> hit = agent.AskTextAsync(messages, options);
            if (!hit.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("a hit must complete synchronously");
            }
            stamps[i] = Stopwatch.GetTimestamp();
            if (i % Every == 0)
            {
                trace.Sample(i / Every);
            }
        }
    }

    public static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>
    /// stamps[i + 1] - stamps[i] is the time of hit i (one timestamp per call); every
    /// <see cref="Every"/> calls the thread's CPU time, page faults and gen0 count, to tell work from
    /// waiting for a core, and first touches of fresh memory from the code's own cost.
    /// </summary>
    private sealed class Trace(int hits)
    {
        public long[] Stamps { get; } = new long[hits + 1];

        private readonly long[] _cpu = new long[hits / Every + 1];

        public long[] CpuNanos => _cpu;
        private readonly long[] _faults = new long[hits / Every + 1];
        private readonly int[] _gen0 = new int[hits / Every + 1];

        public void Sample(int at)
        {
            _cpu[at] = ThreadCpu.Nanoseconds();
            _faults[at] = ThreadCpu.MinorFaults();
            _gen0[at] = GC.CollectionCount(0);
        }

        public void Print(long allocated)
        {
            int hits = Stamps.Length - 1;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{allocated / (double)hits:F0} B allocated per hit, {_gen0[^1] - _gen0[0]} gen0 collections"));
            for (int i = 1; i <= Math.Min(10, hits); i++)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hit {i}: {Micros(Stamps[i] - Stamps[i - 1]):F1} us"));
            }
            for (int from = 0, to = Every; from < hits; from = to, to = Math.Min(hits, to < 1000 ? to + Every : to * 2))
            {
                int calls = to - from;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"hits {from + 1}-{to}: {Micros(Stamps[to] - Stamps[from]) / calls:F2} us ({(_cpu[to / Every] - _cpu[from / Every]) / 1000.0 / calls:F2} us on the CPU, {(_faults[to / Every] - _faults[from / Every]) / (double)calls:F2} page faults, gen0 {_gen0[to / Every]})"));
            }
        }
    }
}
