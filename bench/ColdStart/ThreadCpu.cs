using System.Runtime.InteropServices;

/// <summary>
/// The calling thread's CPU time and page faults (Linux): whether a slow stretch was work, kernel work
/// (first touches of fresh memory) or waiting for a core.
/// </summary>
internal static unsafe partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;
    private const int RusageThread = 1;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* time);

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, long* usage);

    public static long Nanoseconds()
    {
        long* t = stackalloc long[2];
        return ClockGetTime(ClockThreadCpuTimeId, t) == 0 ? t[0] * 1_000_000_000 + t[1] : 0;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>The operating system's id of the calling thread.</summary>
    public static long OsThreadId() => GetTid();

    /// <summary>Minor page faults of this thread so far.</summary>
    public static long MinorFaults()
    {
        // struct rusage: two timevals, then longs: maxrss, ixrss, idrss, isrss, minflt, ...
        long* usage = stackalloc long[18];
        return GetRusage(RusageThread, usage) == 0 ? usage[8] : 0;
    }
}
