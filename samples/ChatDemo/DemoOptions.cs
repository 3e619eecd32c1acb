using System.Globalization;

namespace ChatDemo;

/// <summary>ChatDemo's command line. Unknown options and bad values are reported with exit code 2.</summary>
internal sealed class DemoOptions
{
    public int Requests { get; private set; } = 200;

    public int Seed { get; private set; } = 42;

    public int LlmLatencyMs { get; private set; } = 300;

    public bool NoCache { get; private set; }

    public bool NoStore { get; private set; }

    public int? TtlSeconds { get; private set; }

    public int? MaxAgeSeconds { get; private set; }

    public string Namespace { get; private set; } = "chatdemo";

    /// <summary>The cache levels: memory always, disk by default (the embedded, persistent default).</summary>
    public IReadOnlyList<string> Cache { get; private set; } = ["memory", "disk"];

    public string DiskPath { get; private set; } = ".llmcache";

    public string Redis { get; private set; } = "127.0.0.1:6379";

    public string? S3Endpoint { get; private set; }

    public string S3Bucket { get; private set; } = "llmcache";

    public string S3Prefix { get; private set; } = "";

    /// <summary>
    /// How the workload reaches the cache: <c>method</c> calls the <c>[LlmCached]</c> method,
    /// <c>middleware</c> sends the same requests through an <c>IChatClient</c> pipeline with <c>UseLlmCache()</c>.
    /// </summary>
    public string Client { get; private set; } = "method";

    /// <summary>
    /// <c>--semantic</c>: customers phrase the same questions differently; the method compares the last
    /// user message by meaning (all-MiniLM-L6-v2, run locally), and the demo counts false hits.
    /// </summary>
    public bool Semantic { get; private set; }

    public const string Usage = """
        Usage: dotnet run --project samples/ChatDemo -c Release -- [options]
          --requests N         number of support requests to send (default 200)
          --seed S             seed of the deterministic workload (default 42)
          --llm-latency-ms MS  latency of the simulated LLM in milliseconds (default 300)
          --no-cache           skip cache reads (answers are still stored)
          --no-store           never store answers
          --ttl SECONDS        lifetime of the entries written (default: the method's 1h)
          --max-age SECONDS    accept only entries younger than this
          --namespace NAME     key namespace (default chatdemo); a new one starts a fresh generation
          --client KIND        how requests reach the cache (default method):
                                 method      the [LlmCached] method SupportAgent.AnswerAsync
                                 middleware  an IChatClient pipeline: new ChatClientBuilder(llm).UseLlmCache(runtime)
                               the two keep separate entries, so a first run of the other kind is a miss run
          --semantic           customers word the same questions differently (with a few near misses); the method
                               compares the last user message by meaning (all-MiniLM-L6-v2, local); the summary adds
                               semantic_hits and false_hits (answers given for another question)
          --cache LIST         comma list of levels: memory, disk, redis, s3 (default memory,disk)
          --disk-path DIR      directory of the disk tier (default .llmcache)
          --redis CONFIG       Redis for the redis tier: host:port[,password=...][,ssl=true] (default 127.0.0.1:6379)
          --s3-endpoint URL    S3-compatible endpoint for the s3 tier (default: AWS)
          --s3-bucket NAME     bucket of the s3 tier (default llmcache)
          --s3-prefix P        object key prefix of the s3 tier
        S3 credentials come from the usual AWS environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
          --help               show this text
        Set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL; default gpt-4o-mini) to answer
        with a real OpenAI-compatible endpoint, through the OpenAI SDK, instead of the simulated LLM.
        """;

    /// <summary>Parses the arguments, or returns null with <paramref name="error"/> set.</summary>
    public static DemoOptions? Parse(string[] args, out string? error, out bool help)
    {
        var options = new DemoOptions();
        error = null;
        help = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                return options;
            }
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (arg)
            {
                case "--requests":
                    if (!TryInt(value, 1, 10_000_000, out int requests, out error, arg)) return null;
                    options.Requests = requests;
                    i++;
                    break;
                case "--seed":
                    if (!TryInt(value, int.MinValue, int.MaxValue, out int seed, out error, arg)) return null;
                    options.Seed = seed;
                    i++;
                    break;
                case "--llm-latency-ms":
                    if (!TryInt(value, 0, 600_000, out int latency, out error, arg)) return null;
                    options.LlmLatencyMs = latency;
                    i++;
                    break;
                case "--no-cache":
                    options.NoCache = true;
                    break;
                case "--no-store":
                    options.NoStore = true;
                    break;
                case "--semantic":
                    options.Semantic = true;
                    break;
                case "--ttl":
                    if (!TryInt(value, 1, int.MaxValue, out int ttl, out error, arg)) return null;
                    options.TtlSeconds = ttl;
                    i++;
                    break;
                case "--max-age":
                    if (!TryInt(value, 0, int.MaxValue, out int maxAge, out error, arg)) return null;
                    options.MaxAgeSeconds = maxAge;
                    i++;
                    break;
                case "--cache":
                    string[] levels = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    string? unknown = levels.FirstOrDefault(l => l is not ("memory" or "disk" or "redis" or "s3"));
                    if (levels.Length == 0 || unknown is not null)
                    {
                        error = $"Option --cache needs a comma list of memory, disk, redis, s3" + (unknown is null ? "." : $"; '{unknown}' is not one.");
                        return null;
                    }
                    options.Cache = levels.Contains("memory") ? levels : ["memory", .. levels];
                    i++;
                    break;
                case "--redis" or "--s3-endpoint" or "--s3-bucket" or "--s3-prefix":
                    if (value is null || (arg != "--s3-prefix" && string.IsNullOrWhiteSpace(value)))
                    {
                        error = $"Option {arg} needs a value.";
                        return null;
                    }
                    if (arg == "--s3-endpoint" && !Uri.TryCreate(value, UriKind.Absolute, out _))
                    {
                        error = $"Option --s3-endpoint needs an absolute URL, not '{value}'.";
                        return null;
                    }
                    _ = arg switch
                    {
                        "--redis" => options.Redis = value,
                        "--s3-endpoint" => options.S3Endpoint = value,
                        "--s3-bucket" => options.S3Bucket = value,
                        _ => options.S3Prefix = value,
                    };
                    i++;
                    break;
                case "--client":
                    if (value is not ("method" or "middleware"))
                    {
                        error = "Option --client needs method or middleware" + (value is null ? "." : $", not '{value}'.");
                        return null;
                    }
                    options.Client = value;
                    i++;
                    break;
                case "--disk-path":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        error = "Option --disk-path needs a directory.";
                        return null;
                    }
                    options.DiskPath = value;
                    i++;
                    break;
                case "--namespace":
                    if (value is null || !LlmCache.LlmCacheRuntime.IsValidNamespace(value))
                    {
                        error = $"Option --namespace needs 1-64 letters, digits, '.', '_' or '-'" + (value is null ? "." : $", not '{value}'.");
                        return null;
                    }
                    options.Namespace = value;
                    i++;
                    break;
                default:
                    error = $"Unknown option '{arg}'.";
                    return null;
            }
        }
        if (options.Semantic && options.Client != "method")
        {
            error = "Option --semantic needs --client method: the semantic cache is declared on the [LlmCached] method.";
            return null;
        }
        return options;
    }

    /// <summary>The per-call controls the options ask for, or null when none.</summary>
    public LlmCache.CacheControl? Control => NoCache || NoStore || TtlSeconds is not null || MaxAgeSeconds is not null
        ? new LlmCache.CacheControl
        {
            NoCache = NoCache,
            NoStore = NoStore,
            Ttl = TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null,
            MaxAge = MaxAgeSeconds is { } age ? TimeSpan.FromSeconds(age) : null,
        }
        : null;

    private static bool TryInt(string? value, int min, int max, out int result, out string? error, string name)
    {
        error = null;
        if (value is null || !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result) || result < min || result > max)
        {
            result = 0;
            error = $"Option {name} needs an integer between {min} and {max}" + (value is null ? "." : $", not '{value}'.");
            return false;
        }
        return true;
    }
}
