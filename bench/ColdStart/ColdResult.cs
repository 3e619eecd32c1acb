using System.Globalization;
using System.Text.Json;

/// <summary>What one fresh process measured, in microseconds (and a call count).</summary>
internal sealed record ColdResult(
    double LaunchToFirstHitUs,
    double MainToMissUs,
    double MissUs,
    double FirstHitUs,
    double AvgFirst1000Us,
    double Avg1001To5000Us,
    double SteadyAvgUs,
    int CallsToSteady,
    double BytesPerHit,
    double CpuFirst1000Us,
    double CpuSteadyUs)
{
    /// <summary>Width of the rolling window that must stay near the steady state.</summary>
    public const int Window = 500;

    /// <summary>How far above the steady average a window may be and still count as steady.</summary>
    public const double Tolerance = 1.2;

    /// <param name="cpuNanos">The thread's CPU time every <paramref name="every"/> calls (index 0 before the first).</param>
    public static ColdResult From(long[] stamps, long[] cpuNanos, int every, double launchToFirstHitUs, double mainToMissUs, double missUs,
        double bytesPerHit)
    {
        int n = stamps.Length - 1;
        var us = new double[n];
        for (int i = 0; i < n; i++)
        {
            us[i] = ColdChild.Micros(stamps[i + 1] - stamps[i]);
        }
        // Steady state: the last quarter of the run (at least 5,000 calls).
        int tail = Math.Min(n, Math.Max(5_000, n / 4));
        double steady = Average(us, n - tail, n);
        return new ColdResult(launchToFirstHitUs, mainToMissUs, missUs, us[0],
            Average(us, 0, Math.Min(1_000, n)), Average(us, Math.Min(1_000, n), Math.Min(5_000, n)), steady,
            FindCallsToSteady(us, steady), bytesPerHit, 0, 0)
            with
            {
                CpuFirst1000Us = CpuAverage(cpuNanos, every, 0, Math.Min(1_000, n)),
                CpuSteadyUs = CpuAverage(cpuNanos, every, n - tail, n),
            };
    }

    private static double CpuAverage(long[] cpuNanos, int every, int from, int to) =>
        (cpuNanos[to / every] - cpuNanos[from / every]) / 1000.0 / (to - from);

    /// <summary>Windows start every this many calls (the resolution of "calls to steady state").</summary>
    public const int Stride = 50;

    /// <summary>
    /// The first call after which every window of <see cref="Window"/> calls stays within
    /// <see cref="Tolerance"/> of the steady average. A window's value is its mean without its
    /// slowest 1% of calls, so one preemption by another process on this shared machine does not
    /// count as "not warm yet".
    /// </summary>
    private static int FindCallsToSteady(double[] us, double steady)
    {
        int lastSlow = -1;
        var window = new double[Window];
        int trimmed = Window / 100;
        for (int start = 0; start + Window <= us.Length; start += Stride)
        {
            Array.Copy(us, start, window, 0, Window);
            Array.Sort(window);
            double sum = 0;
            for (int i = 0; i < Window - trimmed; i++)
            {
                sum += window[i];
            }
            if (sum / (Window - trimmed) > Tolerance * steady)
            {
                lastSlow = start + Stride - 1;
            }
        }
        return lastSlow + 1;
    }

    private static double Average(double[] us, int from, int to)
    {
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += us[i];
        }
        return to > from ? sum / (to - from) : double.NaN;
    }

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"launch_to_first_hit_us\":{LaunchToFirstHitUs:F0},\"main_to_miss_us\":{MainToMissUs:F0},\"miss_us\":{MissUs:F0},\"first_hit_us\":{FirstHitUs:F1},\"avg_first_1000_us\":{AvgFirst1000Us:F2},\"avg_1001_5000_us\":{Avg1001To5000Us:F2},\"steady_avg_us\":{SteadyAvgUs:F2},\"calls_to_steady\":{CallsToSteady},\"bytes_per_hit\":{BytesPerHit:F0},\"cpu_first_1000_us\":{CpuFirst1000Us:F2},\"cpu_steady_us\":{CpuSteadyUs:F2}}}");

    public static ColdResult Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement r = doc.RootElement;
        return new ColdResult(r.GetProperty("launch_to_first_hit_us").GetDouble(), r.GetProperty("main_to_miss_us").GetDouble(),
            r.GetProperty("miss_us").GetDouble(), r.GetProperty("first_hit_us").GetDouble(), r.GetProperty("avg_first_1000_us").GetDouble(),
            r.GetProperty("avg_1001_5000_us").GetDouble(), r.GetProperty("steady_avg_us").GetDouble(), r.GetProperty("calls_to_steady").GetInt32(),
            r.GetProperty("bytes_per_hit").GetDouble(), r.GetProperty("cpu_first_1000_us").GetDouble(),
            r.GetProperty("cpu_steady_us").GetDouble());
    }
}
