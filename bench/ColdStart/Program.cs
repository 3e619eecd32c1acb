using System.Diagnostics;
using System.Globalization;
using LlmCache.Benchmarks;

// A fresh process per measurement: how fast the generated hit path is before the JIT has warmed it.
//
//   ColdStart child [--hits N] [--t0 TIMESTAMP]     one measurement in this process; prints one JSON line
//         [--result string]                          the immutable-result method (0 B per hit) instead of the chat one
//         [--profile]                                to stderr: the first hits, then time, CPU time, page faults, gen0 by span
//         [--alloc-types] [--collect]                to stderr: allocated types (sampled); a full GC before the first hit
//   ColdStart probe                                  bytes allocated per key-writer call
//   ColdStart drive [--runs K] [--hits N] --config NAME::PROGRAM[::ENV=VALUE,ENV=VALUE[::CHILD ARGS]] ...
//                                                  K fresh processes per configuration, interleaved; medians
//
// measure.sh builds the variants (plain, ReadyToRun) and calls the driver with the usual configurations.
string mode = args.Length > 0 ? args[0] : "child";
return mode switch
{
    "child" => ColdChild.Run(args),
    "drive" => ColdDriver.Run(args),
    "probe" => KeyProbe.Run(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ColdStart child [--hits N] [--t0 TIMESTAMP] | drive [--runs K] [--hits N] --config NAME::PROGRAM[::ENV=V,...[::ARGS]] ...");
    return 2;
}

/// <summary>Command-line values shared by both modes.</summary>
internal static class Arguments
{
    public static string? Value(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
