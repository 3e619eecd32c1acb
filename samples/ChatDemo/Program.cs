using System.ClientModel;
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
using OpenAI;

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

string? apiKey = NonEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
bool real = apiKey is not null;
string model = real ? NonEmpty(Environment.GetEnvironmentVariable("OPENAI_MODEL")) ?? "gpt-4o-mini" : "simulated-support-1";
IChatClient provider;
if (apiKey is not null)
{
    var sdkOptions = new OpenAIClientOptions { NetworkTimeout = TimeSpan.FromSeconds(120) };
    if (NonEmpty(Environment.GetEnvironmentVariable("OPENAI_BASE_URL")) is { } baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? endpoint))
        {
            Console.Error.WriteLine($"chatdemo: OPENAI_BASE_URL needs an absolute URL, not '{baseUrl}'.");
            return 2;
        }
        sdkOptions.Endpoint = endpoint;
    }
    // The official SDK, seen through Microsoft.Extensions.AI: its ChatClientMetadata (provider, endpoint,
    // model) is what the middleware keys a client by.
    provider = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(apiKey), sdkOptions).AsIChatClient();
}
else
{
    provider = new SimulatedChatClient(TimeSpan.FromMilliseconds(options.LlmLatencyMs));
}
// Both ways into the cache count a call where it reaches the provider. The pipeline below owns it
// (disposing a pipeline disposes its inner clients).
var llm = new CountingChatClient(provider);

var services = new ServiceCollection();
services.AddSingleton<IChatClient>(llm);
LlmCacheBuilder cacheBuilder = services.AddLlmCache(o =>
{
    o.Namespace = options.Namespace;
    // The simulated model is priced like gpt-4o-mini; real models are in the library's price table.
    o.Prices["simulated-support-1"] = o.Prices["gpt-4o-mini"];
});
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
if (options.Semantic)
{
    // The embedding model the semantic cache compares questions with: all-MiniLM-L6-v2, run locally.
    services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new LlmCache.Testing.MiniLmEmbeddingGenerator());
}
services.AddSingleton<SupportAgent>();
await using ServiceProvider serviceProvider = services.BuildServiceProvider();
SupportAgent agent = serviceProvider.GetRequiredService<SupportAgent>();
LlmCacheRuntime runtime = agent.Cache;
using var rates = new MethodHitRates(runtime.Meter);
bool middleware = options.Client == "middleware";
// --client middleware: the same requests through a Microsoft.Extensions.AI pipeline, cached by the
// runtime the method uses, with the method's TTL and tag. Its entries live under the middleware's own
// method id, so they are not the method's.
using IChatClient pipeline = new ChatClientBuilder(llm)
    .UseLlmCache(runtime, o =>
    {
        o.Ttl = TimeSpan.FromHours(1);
        o.Tags = ["support"];
    })
    .Build();

int[] drawn = Workload.Draw(options.Requests, options.Seed);
(int Intent, string Question)[] worded = options.Semantic ? SemanticWorkload.Draw(options.Requests, options.Seed) : [];
var answeredFor = new Dictionary<string, int>(StringComparer.Ordinal);
int semanticHits = 0, falseHits = 0;
var hitLatencies = new List<double>();
var missLatencies = new List<double>();
int errors = 0;
var chatOptions = new ChatOptions { ModelId = model, Temperature = 0f };

Console.WriteLine($"ChatDemo: {options.Requests} requests, seed {options.Seed}, LLM: {(real ? $"{model} (OpenAI SDK)" : $"simulated ({options.LlmLatencyMs} ms)")}, cache: {string.Join(",", options.Cache)}");
string controls = options.Control is { } c ? $", controls: {c}" : "";
string client = middleware ? "middleware (ChatClientBuilder.UseLlmCache)"
    : options.Semantic ? "method ([LlmCached(Semantic)] SupportAgent.AnswerAnyWordingAsync)" : "method ([LlmCached] SupportAgent.AnswerAsync)";
Console.WriteLine($"  namespace {options.Namespace}, client {client}{controls}");
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
        new(ChatRole.User, options.Semantic ? worded[r].Question : Workload.Questions[drawn[r]]),
    };
    long started = Stopwatch.GetTimestamp();
    try
    {
        ChatResponse response = middleware
            ? await pipeline.GetResponseAsync(messages, chatOptions, CancellationToken.None)
            : options.Semantic
                ? await agent.AnswerAnyWordingAsync(model, messages, chatOptions, Workload.UserFor(r, options.Seed), CancellationToken.None)
                : await agent.AnswerAsync(model, messages, chatOptions, Workload.UserFor(r, options.Seed), CancellationToken.None);
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // The middleware marks a hit on the answer itself; the method's caller learns it from the probe.
        bool hit = middleware
            ? response.AdditionalProperties?.TryGetValue(LlmCacheProperties.Hit, out object? marker) == true && marker is true
            : probe.Last is { Hit: true };
        if (hit)
        {
            hitLatencies.Add(ms);
        }
        else
        {
            missLatencies.Add(ms);
        }
        if (options.Semantic)
        {
            semanticHits += probe.Last is { Hit: true, Source: CacheSource.Semantic } ? 1 : 0;
            if (!hit)
            {
                answeredFor[response.Text] = worded[r].Intent;
            }
            else if (SemanticWorkload.IntentOfAnswer(response.Text, answeredFor) is { } answeredIntent && answeredIntent != worded[r].Intent)
            {
                falseHits++; // the answer was given for another question
            }
        }
    }
    catch (Exception ex) when (IsProviderFailure(ex))
    {
        errors++;
        Console.Error.WriteLine($"request {r} failed: {ex.Message}");
    }
}
total.Stop();

int llmCalls = llm.Calls;
// What the hits saved, as the library counts it: the usage each cached answer reports, at its model's price.
LlmCacheStatistics statistics = runtime.Statistics;
long savedInput = statistics.InputTokensSaved, savedOutput = statistics.OutputTokensSaved;
double usdSaved = (double)statistics.CostSaved;
ModelPrice price = runtime.Options.Prices.TryGetValue(model, out ModelPrice? listed) ? listed : new ModelPrice();
int hits = hitLatencies.Count, misses = missLatencies.Count;

Console.WriteLine();
Console.WriteLine($"  requests      {options.Requests}");
Console.WriteLine($"  hits          {hits} ({(options.Requests == 0 ? 0 : 100.0 * hits / options.Requests):F1} %)");
Console.WriteLine($"  misses        {misses}");
Console.WriteLine($"  LLM calls     {llmCalls}");
Console.WriteLine($"  errors        {errors}");
if (options.Semantic)
{
    Console.WriteLine($"  semantic hits {semanticHits} (false hits: {falseHits})");
}
Console.WriteLine($"  hit latency   p50 {Percentile(hitLatencies, 0.50):F3} ms   p95 {Percentile(hitLatencies, 0.95):F3} ms");
Console.WriteLine($"  miss latency  p50 {Percentile(missLatencies, 0.50):F1} ms   p95 {Percentile(missLatencies, 0.95):F1} ms");
Console.WriteLine($"  tokens saved  {savedInput} input + {savedOutput} output ≈ ${usdSaved.ToString("F4", CultureInfo.InvariantCulture)} at ${price.InputPerMillion}/M input, ${price.OutputPerMillion}/M output ({runtime.Options.PriceCurrency}, from LlmCache's price table)");
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
    ["semantic_hits"] = semanticHits,
    ["false_hits"] = falseHits,
};
Console.WriteLine(JsonSerializer.Serialize(summary));
return 0;

// A failed request is counted and the run goes on. The SDK reports a request that failed after its
// retries as an AggregateException of the tries' exceptions.
static bool IsProviderFailure(Exception ex) => ex is AggregateException aggregate
    ? aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsProviderFailure)
    : ex is ClientResultException or HttpRequestException or TaskCanceledException or InvalidOperationException or JsonException;

static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

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
