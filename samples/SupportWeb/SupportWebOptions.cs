using System.Globalization;

namespace SupportWeb;

/// <summary>SupportWeb's own command-line options; everything else (<c>--urls</c> …) goes to ASP.NET Core.</summary>
public sealed record SupportWebOptions(bool Seed, int SeedRequests, int LlmLatencyMs, string DiskPath)
{
    public const string Usage = """
        SupportWeb: the support bot behind POST /ask, with the LlmCache dashboard at /llmcache/.
          --urls URL             where to listen (ASP.NET Core's option), e.g. http://127.0.0.1:5080
          --no-seed              do not send seed traffic on start
          --seed-requests N      how many seed requests (default 150)
          --llm-latency-ms N     the simulated LLM's latency (default 250)
          --disk-path DIR        the disk tier's folder (default: llmcache-supportweb in the temporary folder)
        """;

    /// <summary>Reads SupportWeb's options out of <paramref name="args"/>; <paramref name="rest"/> is what ASP.NET Core gets.</summary>
    public static SupportWebOptions Parse(string[] args, out string[] rest)
    {
        var options = new SupportWebOptions(true, 150, 250, Path.Combine(Path.GetTempPath(), "llmcache-supportweb"));
        var others = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--no-seed":
                    options = options with { Seed = false };
                    break;
                case "--seed-requests":
                    options = options with { SeedRequests = Number(args, ++i) };
                    break;
                case "--llm-latency-ms":
                    options = options with { LlmLatencyMs = Number(args, ++i) };
                    break;
                case "--disk-path":
                    options = options with { DiskPath = Value(args, ++i) };
                    break;
                default:
                    others.Add(args[i]);
                    break;
            }
        }
        rest = [.. others];
        return options;
    }

    private static string Value(string[] args, int i) =>
        i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.\n{Usage}");

    private static int Number(string[] args, int i) =>
        int.TryParse(Value(args, i), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new ArgumentException($"{args[i - 1]} needs a whole number, not '{args[i]}'.\n{Usage}");
}
