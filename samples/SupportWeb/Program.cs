using LlmCache;
using LlmCache.Disk;
using Microsoft.Extensions.AI;
using OpenTelemetry.Metrics;
using SupportWeb;

SupportWebOptions options;
string[] aspNetArgs;
try
{
    options = SupportWebOptions.Parse(args, out aspNetArgs);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("supportweb: " + ex.Message);
    return 2;
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(aspNetArgs);
var llm = new SimulatedChatClient(TimeSpan.FromMilliseconds(options.LlmLatencyMs));
builder.Services.AddSingleton(llm);
builder.Services.AddSingleton<IChatClient>(llm);
builder.Services.AddSingleton<SupportAgent>();
builder.Services.AddSingleton<SupportDesk>();
builder.Services.AddLlmCache(o =>
{
    o.Namespace = "supportweb";
    // The simulated models are priced like real ones, so the dashboard shows realistic savings.
    o.Prices[SupportAgent.AnswerModel] = o.Prices["gpt-4o-mini"];
    o.Prices[SupportAgent.TriageModel] = o.Prices["gpt-4o"];
}).AddDiskTier(o => o.Directory = options.DiskPath);
builder.Services.AddHealthChecks().AddLlmCache();
// The runtime's meter ("LlmCache") exported for Prometheus at /metrics.
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("LlmCache").AddPrometheusExporter());

WebApplication app = builder.Build();

app.MapPost("/ask", async (AskRequest request, SupportDesk desk, CancellationToken ct) =>
    string.IsNullOrWhiteSpace(request.Question)
        ? Results.ValidationProblem(new Dictionary<string, string[]> { ["question"] = ["A question is required."] })
        : Results.Ok(await desk.AskAsync(request, ct)));
// A loopback sample: the operator endpoints and the dashboard are opened to anonymous callers on
// purpose. A real application keeps the default (authorization required) or names a policy.
app.MapLlmCache("/llmcache", o => o.AllowAnonymous = true);
app.MapHealthChecks("/health");
app.MapPrometheusScrapingEndpoint();
app.MapGet("/", () => Results.Redirect("/llmcache/"));

if (options.Seed)
{
    app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
    {
        try
        {
            await SeedTraffic.RunAsync(app.Services.GetRequiredService<SupportDesk>(), options.SeedRequests, app.Lifetime.ApplicationStopping);
            LlmCacheStatistics stats = app.Services.GetRequiredService<LlmCacheRuntime>().Statistics;
            Console.WriteLine($"SupportWeb: seeded {options.SeedRequests} requests ({stats.Hits} hits, {stats.Misses} misses)");
        }
        catch (OperationCanceledException)
        {
            // The application stopped while seeding.
        }
    }));
}
else
{
    Console.WriteLine("SupportWeb: no seed traffic (--no-seed)");
}

await app.RunAsync();
return 0;
