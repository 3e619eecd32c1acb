using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChatDemo;
using LlmCache;
using LlmCache.Disk;
using LlmCache.Redis;
using LlmCache.S3;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

DemoOptions? options = DemoOptions.Parse(args, out string? error, out bool help);
if (help)
{
    Console.WriteLine(DemoOptions.Usage);
    return 0;
}
if (options is null)
{
    Console.Error.WriteLine("chatdemo: " + error);
    Console.Error.WriteLine(DemoOptions.Usage);
    return 2;
}

// Prices used to estimate what the cache saved (USD per million tokens; gpt-4o-mini list prices).
const double InputPricePerMillion = 0.15;
const double OutputPricePerMillion = 0.60;

string? apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
SimulatedChatClient? simulated = null;
OpenAiCompatibleChatClient? real = null;
IChatClient llm = string.IsNullOrEmpty(apiKey)
    ? simulated = new SimulatedChatClient(TimeSpan.FromMilliseconds(options.LlmLatencyMs))
    : real = new OpenAiCompatibleChatClient(apiKey, Environment.GetEnvironmentVariable("OPENAI_BASE_URL"), Environment.GetEnvironmentVariable("OPENAI_MODEL"));
string model = real?.Model ?? "simulated-support-1";

var services = new ServiceCollection();
services.AddSingleton(llm);
LlmCacheBuilder cacheBuilder = services.AddLlmCache(o => o.Namespace = options.Namespace);
// Tiers in the order a read walks them: disk, then Redis, then S3.
if (options.Cache.Contains("disk"))
{
    cacheBuilder.AddDiskTier(o => o.Directory = options.DiskPath);
}
if (options.Cache.Contains("redis"))
{
    cacheBuilder.AddRedisTier(o => o.Configuration = options.Redis);
}
if (options.Cache.Contains("s3"))
{
    cacheBuilder.AddS3Tier(o =>
    {
        o.Bucket = options.S3Bucket;
        o.Prefix = options.S3Prefix;
        o.ServiceUrl = options.S3Endpoint;
        o.AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        o.SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        o.Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
    });
}
services.AddSingleton<SupportAgent>();
await using ServiceProvider provider = services.BuildServiceProvider();
SupportAgent agent = provider.GetRequiredService<SupportAgent>();
using var rates = new MethodHitRates(agent.Cache.Meter);

int[] drawn = Workload.Draw(options.Requests, options.Seed);
var hitLatencies = new List<double>();
var missLatencies = new List<double>();
long savedInput = 0, savedOutput = 0;
int errors = 0;
var chatOptions = new ChatOptions { ModelId = model, Temperature = 0f };

Console.WriteLine($"ChatDemo: {options.Requests} requests, seed {options.Seed}, LLM: {(real is null ? $"simulated ({options.LlmLatencyMs} ms)" : $"{model} (OpenAI-compatible)")}, cache: {string.Join(",", options.Cache)}");
string controls = options.Control is { } c ? $", controls: {c}" : "";
Console.WriteLine($"  namespace {options.Namespace}{controls}");
// The per-call controls from the command line apply to every request through an ambient scope.
using IDisposable? scope = options.Control is { } control ? LlmCacheScope.With(control) : null;
// The probe tells each caller whether its result came from the cache (LiteLLM's cache_hit).
using CacheProbe probe = LlmCacheScope.Observe();
var total = Stopwatch.StartNew();
for (int r = 0; r < drawn.Length; r++)
{
    var messages = new List<ChatMessage>
    {
        new(ChatRole.System, SupportAgent.SystemPrompt),
        new(ChatRole.User, Workload.Questions[drawn[r]]),
    };
    long started = Stopwatch.GetTimestamp();
    try
    {
        ChatResponse response = await agent.AnswerAsync(model, messages, chatOptions, Workload.UserFor(r, options.Seed), CancellationToken.None);
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (probe.Last is { Hit: true })
        {
            hitLatencies.Add(ms);
            savedInput += response.Usage?.InputTokenCount ?? 0;
            savedOutput += response.Usage?.OutputTokenCount ?? 0;
        }
        else
        {
            missLatencies.Add(ms);
        }
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or JsonException)
    {
        errors++;
        Console.Error.WriteLine($"request {r} failed: {ex.Message}");
    }
}
total.Stop();

int llmCalls = simulated?.Calls ?? real!.Calls;
double usdSaved = savedInput * InputPricePerMillion / 1e6 + savedOutput * OutputPricePerMillion / 1e6;
int hits = hitLatencies.Count, misses = missLatencies.Count;

Console.WriteLine();
Console.WriteLine($"  requests      {options.Requests}");
Console.WriteLine($"  hits          {hits} ({(options.Requests == 0 ? 0 : 100.0 * hits / options.Requests):F1} %)");
Console.WriteLine($"  misses        {misses}");
Console.WriteLine($"  LLM calls     {llmCalls}");
Console.WriteLine($"  errors        {errors}");
Console.WriteLine($"  hit latency   p50 {Percentile(hitLatencies, 0.50):F3} ms   p95 {Percentile(hitLatencies, 0.95):F3} ms");
Console.WriteLine($"  miss latency  p50 {Percentile(missLatencies, 0.50):F1} ms   p95 {Percentile(missLatencies, 0.95):F1} ms");
Console.WriteLine($"  tokens saved  {savedInput} input + {savedOutput} output ≈ ${usdSaved.ToString("F4", CultureInfo.InvariantCulture)} at ${InputPricePerMillion}/M input, ${OutputPricePerMillion}/M output");
Console.WriteLine($"  elapsed       {total.ElapsedMilliseconds} ms");
foreach ((string method, (long methodHits, long methodMisses)) in rates.Snapshot())
{
    long calls = methodHits + methodMisses;
    Console.WriteLine($"  hit rate      {method}: {(calls == 0 ? 0 : 100.0 * methodHits / calls):F1} % of {calls} (from the LlmCache meter)");
}
Console.WriteLine();

var summary = new Dictionary<string, object>
{
    ["requests"] = options.Requests,
    ["hits"] = hits,
    ["misses"] = misses,
    ["llm_calls"] = llmCalls,
    ["errors"] = errors,
    ["elapsed_ms"] = total.ElapsedMilliseconds,
    ["hit_rate"] = Math.Round(options.Requests == 0 ? 0 : (double)hits / options.Requests, 4),
    ["hit_p50_ms"] = Math.Round(Percentile(hitLatencies, 0.50), 3),
    ["miss_p50_ms"] = Math.Round(Percentile(missLatencies, 0.50), 3),
    ["tokens_saved"] = savedInput + savedOutput,
    ["usd_saved"] = Math.Round(usdSaved, 6),
    ["cache"] = string.Join(",", options.Cache),
    ["namespace"] = options.Namespace,
};
Console.WriteLine(JsonSerializer.Serialize(summary));
return 0;

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0)
    {
        return 0;
    }
    double[] sorted = [.. values];
    Array.Sort(sorted);
    return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
