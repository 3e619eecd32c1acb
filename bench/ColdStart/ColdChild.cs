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
    public static int Run(string[] args)
    {
        long mainEntered = Stopwatch.GetTimestamp();
        int hits = Arguments.Int(args, "--hits", 60_000);
        // The driver's Stopwatch timestamp taken just before it started this process (the same
        // monotonic clock in every process of the machine); without it, the OS's start time (10 ms grain).
        long? launched = Arguments.Value(args, "--t0") is { } t0 ? long.Parse(t0, CultureInfo.InvariantCulture) : null;

        var runtime = new LlmCacheRuntime();
        var agent = new CachedAgent(new InstantChatClient(), runtime);
        List<ChatMessage> messages = ChatWorkload.Messages();
        ChatOptions options = ChatWorkload.Options();
        long missStarted = Stopwatch.GetTimestamp();
        Miss(agent, messages, options);
        if (args.Contains("--collect"))
        {
            GC.Collect();
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int gcsBefore = GC.CollectionCount(0);
        long[] stamps = Hits(agent, messages, options, hits);
        // Allocated during the hits (less the timestamp array, allocated before the first hit).
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - (hits + 1L) * sizeof(long);
        int gcs = GC.CollectionCount(0) - gcsBefore;

        LlmCacheStatistics stats = runtime.Statistics;
        if (stats.Hits != hits || stats.Misses != 1)
        {
            Console.Error.WriteLine($"expected {hits} hits and 1 miss, saw {stats.Hits} hits and {stats.Misses} misses");
            return 1;
        }
        double launchToFirstHit = launched is { } l
            ? Micros(stamps[1] - l)
            : (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMicroseconds - Micros(Stopwatch.GetTimestamp() - stamps[1]);
        var result = ColdResult.From(stamps, launchToFirstHit, Micros(missStarted - mainEntered), Micros(stamps[0] - missStarted));
        if (args.Contains("--profile"))
        {
            // Where the early time goes: the first ten calls one by one, then averages of growing spans.
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{allocated / (double)hits:F0} B allocated per hit, {gcs} gen0 collections"));
            for (int i = 1; i <= Math.Min(10, hits); i++)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hit {i}: {Micros(stamps[i] - stamps[i - 1]):F1} us"));
            }
            for (int from = 0, to = 100; from < hits; from = to, to = Math.Min(hits, to < 1000 ? to + 100 : to * 2))
            {
                double cpu = (s_cpu[to / 100] - s_cpu[from / 100]) / 1000.0 / (to - from);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"hits {from + 1}-{to}: {Micros(stamps[to] - stamps[from]) / (to - from):F2} us ({cpu:F2} us on the CPU, {(s_faults[to / 100] - s_faults[from / 100]) / (double)(to - from):F2} page faults, gen0 {s_gen0[to / 100]})"));
            }
        }
        Console.WriteLine(result.ToJson());
        runtime.Dispose();
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Miss(CachedAgent agent, List<ChatMessage> messages, ChatOptions options)
    {
        // The in-process level stores synchronously: the miss is complete when the task is.
        agent.AskAsync(messages, options).GetAwaiter().GetResult();
    }

    /// <summary>
    /// stamps[i + 1] - stamps[i] is the time of hit i (one timestamp per call); every 100 calls, the
    /// thread's CPU time and the gen0 count too, to tell work from waiting for a core.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long[] Hits(CachedAgent agent, List<ChatMessage> messages, ChatOptions options, int count)
    {
        var stamps = new long[count + 1];
        s_cpu = new long[count / 100 + 1];
        s_gen0 = new int[count / 100 + 1];
        s_faults = new long[count / 100 + 1];
        s_faults[0] = ThreadCpu.MinorFaults();
        s_cpu[0] = ThreadCpu.Nanoseconds();
        stamps[0] = Stopwatch.GetTimestamp();
        for (int i = 1; i <= count; i++)
        {
            Task<ChatResponse> hit = agent.AskAsync(messages, options);
            if (!hit.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("a hit must complete synchronously");
            }
            stamps[i] = Stopwatch.GetTimestamp();
            if (i % 100 == 0)
            {
                s_cpu[i / 100] = ThreadCpu.Nanoseconds();
                s_gen0[i / 100] = GC.CollectionCount(0);
                s_faults[i / 100] = ThreadCpu.MinorFaults();
            }
        }
        return stamps;
    }

    private static long[] s_cpu = [];
    private static int[] s_gen0 = [];
    private static long[] s_faults = [];

    public static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
