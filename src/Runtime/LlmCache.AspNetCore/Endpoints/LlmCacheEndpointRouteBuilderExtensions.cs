using System.Globalization;
using LlmCache;
using LlmCache.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps LlmCache's operator endpoints (LiteLLM's <c>/cache/ping</c>, <c>/cache/delete</c> and <c>/cache/flushall</c>).</summary>
public static class LlmCacheEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>, the endpoints that operate the
    /// <see cref="LlmCacheRuntime"/> registered in the services (else <see cref="LlmCacheRuntime.Default"/>):
    /// <list type="bullet">
    /// <item><c>GET ping</c>: every tier probed (reachable, latency, breaker state), as JSON.</item>
    /// <item><c>GET stats</c>: totals, hit rate, each method's hits by level, misses, stale answers, tokens and cost saved, stores skipped by reason, and tier states, as JSON.</item>
    /// <item>the dashboard, a page at <c>{prefix}/</c> that polls <c>stats</c> and <c>ping</c> (its assets are embedded in this package).</item>
    /// <item><c>DELETE keys/{key}</c>, <c>DELETE tags/{tag}</c>, <c>DELETE methods/{methodId}</c>, <c>DELETE tenants/{tenant}</c>: removals,
    /// answered 202 with <c>{ "complete": bool }</c> (false while a tier has not confirmed; retried in the background).</item>
    /// <item><c>POST namespace</c> with <c>{ "namespace": "v2" }</c>: orphans every entry at once.</item>
    /// </list>
    /// The endpoints require authorization (<see cref="LlmCacheEndpointOptions.Policy"/>, else the
    /// default policy) unless <see cref="LlmCacheEndpointOptions.AllowAnonymous"/> is set.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">Where the endpoints live, e.g. <c>/llmcache</c>.</param>
    /// <param name="configure">Sets the authorization policy, or opts out of authorization.</param>
    /// <returns>The group of endpoints, for more conventions (rate limiting, CORS, a host filter …).</returns>
    public static RouteGroupBuilder MapLlmCache(this IEndpointRouteBuilder endpoints, string prefix = "/llmcache",
        Action<LlmCacheEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var options = new LlmCacheEndpointOptions();
        configure?.Invoke(options);

        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        if (options.AllowAnonymous)
        {
            group.AllowAnonymous();
        }
        else if (options.Policy is { } policy)
        {
            group.RequireAuthorization(policy);
        }
        else
        {
            group.RequireAuthorization();
        }

        var meter = new LlmCacheMeterView(MeterScope(endpoints.ServiceProvider));
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(meter.Dispose);

        group.MapGet("/", static (HttpContext context) =>
        {
            // The page fetches its data and assets by relative URLs: it must be seen under a trailing slash.
            if (!context.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect(context.Request.PathBase + context.Request.Path + "/" + context.Request.QueryString);
            }
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return DashboardAssets.Page.Serve(context, "no-cache, private");
        }).ExcludeFromDescription();
        group.MapGet("assets/{file}", static (HttpContext context, string file) =>
            DashboardAssets.Find(file) is { } asset
                ? asset.Serve(context, context.Request.Query.ContainsKey("v") ? "private, max-age=31536000, immutable" : "no-cache, private")
                : Results.NotFound()).ExcludeFromDescription();
        group.MapGet("ping", PingAsync);
        group.MapGet("stats", (HttpContext context) =>
        {
            LlmCacheRuntime runtime = Runtime(context);
            LlmCacheStatistics totals = runtime.Statistics;
            long calls = totals.Hits + totals.Misses;
            MethodStatistics[] methods = [.. runtime.MethodStatistics.OrderByDescending(m => m.CostSaved).ThenByDescending(m => m.Hits).ThenBy(m => m.MethodId, StringComparer.Ordinal)];
            LlmCacheTierStateResponse[] tiers = [.. runtime.Tiers.Select(t => new LlmCacheTierStateResponse(t.Name, t.BreakerState.ToString().ToLowerInvariant(), t.Hits))];
            context.Response.Headers.CacheControl = "no-store";
            return Results.Ok(new LlmCacheStatsResponse(totals, calls == 0 ? 0 : (double)totals.Hits / calls, runtime.Options.PriceCurrency, methods, tiers,
                runtime.PendingRefreshes, meter.Snapshot()));
        });
        group.MapDelete("keys/{key?}", static async (HttpContext context, string? key) => string.IsNullOrWhiteSpace(key)
            ? Invalid("key", "A key is required: DELETE keys/{key}.")
            : Removed(await Runtime(context).RemoveAsync(key, context.RequestAborted).ConfigureAwait(false)));
        group.MapDelete("tags/{tag?}", static async (HttpContext context, string? tag) => string.IsNullOrWhiteSpace(tag)
            ? Invalid("tag", "A tag is required: DELETE tags/{tag}.")
            : Removed(await Runtime(context).RemoveByTagAsync(tag, context.RequestAborted).ConfigureAwait(false)));
        group.MapDelete("methods/{methodId?}", static async (HttpContext context, string? methodId) => string.IsNullOrWhiteSpace(methodId)
            ? Invalid("methodId", "A method id is required: DELETE methods/{methodId}.")
            : Removed(await Runtime(context).RemoveMethodAsync(methodId, context.RequestAborted).ConfigureAwait(false)));
        group.MapDelete("tenants/{tenant?}", static async (HttpContext context, string? tenant) => string.IsNullOrWhiteSpace(tenant)
            ? Invalid("tenant", "A tenant is required: DELETE tenants/{tenant}.")
            : Removed(await Runtime(context).ForgetTenantAsync(tenant, context.RequestAborted).ConfigureAwait(false)));
        group.MapPost("namespace", static (HttpContext context, LlmCacheNamespaceRequest? request) =>
        {
            string? value = request?.Namespace;
            if (!LlmCacheRuntime.IsValidNamespace(value))
            {
                return Invalid("namespace", "The namespace must be 1-64 letters, digits, '.', '_' or '-'.");
            }
            Runtime(context).Reconfigure(o => o.Namespace = value!);
            return Results.Ok(new LlmCacheNamespaceRequest(value));
        });
        return group;
    }

    // The meter of a runtime from the container comes from the container's meter factory; the default runtime owns its own.
    private static object? MeterScope(IServiceProvider services) =>
        services.GetService<IServiceProviderIsService>()?.IsService(typeof(LlmCacheRuntime)) == true
            ? services.GetService<System.Diagnostics.Metrics.IMeterFactory>()
            : null;

    private static LlmCacheRuntime Runtime(HttpContext context) =>
        (LlmCacheRuntime?)context.RequestServices.GetService(typeof(LlmCacheRuntime)) ?? LlmCacheRuntime.Default;

    private static async Task<IResult> PingAsync(HttpContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<LlmCacheTierInfo> tiers = Runtime(context).Tiers;
        var pings = new Task<LlmCacheTierPing>[tiers.Count];
        for (int i = 0; i < pings.Length; i++)
        {
            pings[i] = tiers[i].PingAsync(cancellationToken);
        }
        await Task.WhenAll(pings).ConfigureAwait(false);
        var answer = new LlmCacheTierPingResponse[pings.Length];
        for (int i = 0; i < pings.Length; i++)
        {
            LlmCacheTierPing ping = pings[i].Result;
            answer[i] = new LlmCacheTierPingResponse(tiers[i].Name, tiers[i].Kind, ping.Reachable, Math.Round(ping.Latency.TotalMilliseconds, 1),
                tiers[i].BreakerState.ToString().ToLowerInvariant(),
                ping.Error is { } error ? error.GetType().Name + ": " + error.Message : null);
        }
        return Results.Ok(new LlmCachePingResponse(answer));
    }

    private static IResult Removed(bool complete) => Results.Accepted(uri: null, new LlmCacheRemovalResponse(complete));

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);
}
