using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Starts K fresh processes per configuration, the configurations interleaved (one of each, then
/// the next round) so that a busy moment of this shared machine falls on all of them alike, and
/// prints the medians as a Markdown table.
/// </summary>
internal static class ColdDriver
{
    private sealed record Config(string Name, string Program, IReadOnlyList<KeyValuePair<string, string>> Environment, string[] ChildArguments);

    public static int Run(string[] args)
    {
        int runs = Arguments.Int(args, "--runs", 7);
        int hits = Arguments.Int(args, "--hits", 60_000);
        var configs = new List<Config>();
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--config")
            {
                configs.Add(ParseConfig(args[i + 1]));
            }
        }
        if (configs.Count == 0)
        {
            Console.Error.WriteLine("no --config given");
            return 2;
        }
        var results = configs.ToDictionary(c => c.Name, _ => new List<ColdResult>());
        for (int round = 1; round <= runs; round++)
        {
            foreach (Config config in configs)
            {
                ColdResult result = RunOnce(config, hits);
                results[config.Name].Add(result);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round} {config.Name}: first 1,000 {result.AvgFirst1000Us:F2} us, steady {result.SteadyAvgUs:F2} us, steady after {result.CallsToSteady}"));
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Medians of {runs} fresh processes per configuration, {hits:N0} hits each (microseconds unless said otherwise)."));
        Console.WriteLine();
        Console.WriteLine("| configuration | launch → first hit (ms) | first hit | avg first 1,000 | avg 1,001–5,000 | steady avg | calls to steady state | B/hit | CPU: first 1,000 | CPU: steady |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Config config in configs)
        {
            List<ColdResult> r = results[config.Name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {config.Name} | {Median(r, x => x.LaunchToFirstHitUs) / 1000:F1} | {Median(r, x => x.FirstHitUs):F0} | {Median(r, x => x.AvgFirst1000Us):F2} | {Median(r, x => x.Avg1001To5000Us):F2} | {Median(r, x => x.SteadyAvgUs):F2} | {Median(r, x => x.CallsToSteady):F0} | {Median(r, x => x.BytesPerHit):F0} | {Median(r, x => x.CpuFirst1000Us):F2} | {Median(r, x => x.CpuSteadyUs):F2} |"));
        }
        return 0;
    }

    private static Config ParseConfig(string text)
    {
        string[] parts = text.Split("::");
        var environment = new List<KeyValuePair<string, string>>();
        if (parts.Length > 2)
        {
            foreach (string pair in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                environment.Add(new(pair[..eq], pair[(eq + 1)..]));
            }
        }
        string[] childArguments = parts.Length > 3 ? parts[3].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        return new Config(parts[0], parts[1], environment, childArguments);
    }

    private static ColdResult RunOnce(Config config, int hits)
    {
        bool viaHost = config.Program.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(viaHost ? "dotnet" : config.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaHost)
        {
            start.ArgumentList.Add(config.Program);
        }
        foreach (string arg in new[] { "child", "--hits", hits.ToString(CultureInfo.InvariantCulture) }.Concat(config.ChildArguments))
        {
            start.ArgumentList.Add(arg);
        }
        foreach ((string name, string value) in config.Environment)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add("--t0");
        long t0 = Stopwatch.GetTimestamp();
        start.ArgumentList.Add(t0.ToString(CultureInfo.InvariantCulture));
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        if (process.ExitCode != 0 || !last.StartsWith('{'))
        {
            throw new InvalidOperationException($"{config.Name} failed ({process.ExitCode}): {error}{output}");
        }
        return ColdResult.Parse(last);
    }

    private static double Median(List<ColdResult> results, Func<ColdResult, double> metric)
    {
        double[] values = results.Select(metric).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }
}
