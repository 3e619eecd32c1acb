using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmCache.AspNetCore.Tests;

public sealed partial class DashboardAndMethodRemovalTests
{
    [Fact]
    public async Task DeleteMethod_RemovesThatMethodsEntriesOnly()
    {
        await using TestApp app = await TestApp.StartAsync();
        await app.Answers.AskAsync("acme", "method");
        await app.Answers.AskAsync("globex", "method");
        await app.Answers.SummarizeAsync("kept");
        string methodId = await MethodIdAsync(app, "AskAsync");

        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Delete, "/llmcache/methods/" + Uri.EscapeDataString(methodId)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("complete").GetBoolean());

        int calls = app.Answers.Calls;
        await app.Answers.AskAsync("acme", "method");
        await app.Answers.AskAsync("globex", "method");
        Assert.Equal(calls + 2, app.Answers.Calls);   // every tenant's entry of the method is gone, from memory and from the disk tier
        await app.Answers.SummarizeAsync("kept");
        Assert.Equal(calls + 2, app.Answers.Calls);   // the other method still hits
        await app.Answers.AskAsync("acme", "method");
        Assert.Equal(calls + 2, app.Answers.Calls);   // and the method caches again after the removal
    }

    [Fact]
    public async Task DeleteMethod_IsHonouredByAnotherProcessSharingTheTier()
    {
        var shared = new FlakyTier();
        await using TestApp first = await TestApp.StartAsync(shared);
        await using TestApp second = await TestApp.StartAsync(shared);
        await first.Answers.AskAsync("acme", "shared");
        await first.Runtime.FlushAsync();
        await second.Answers.AskAsync("acme", "shared");
        Assert.Equal(0, second.Answers.Calls);        // served from the shared tier

        string methodId = await MethodIdAsync(first, "AskAsync");
        using HttpResponseMessage response = await first.Client.SendAsync(first.Request(HttpMethod.Delete, "/llmcache/methods/" + Uri.EscapeDataString(methodId)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // The second process holds the entry in memory; it learns of the removal from the tier's record
        // when it next reads the tier, which a fresh process (or one whose memory copy is gone) does at once.
        await using TestApp third = await TestApp.StartAsync(shared);
        await third.Answers.AskAsync("acme", "shared");
        Assert.Equal(1, third.Answers.Calls);
    }

    [Fact]
    public async Task DeleteMethod_WithoutAnId_IsABadRequest()
    {
        await using TestApp app = await TestApp.StartAsync();
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Delete, "/llmcache/methods/%20"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Dashboard_AndDeleteMethod_RefuseAnonymousRequestsByDefault()
    {
        await using TestApp app = await TestApp.StartAsync();
        foreach (string path in new[] { "/llmcache/", "/llmcache", "/llmcache/assets/dashboard.js", "/llmcache/assets/dashboard.css" })
        {
            using HttpResponseMessage response = await app.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using HttpResponseMessage delete = await app.Client.DeleteAsync("/llmcache/methods/Some.Method.0123");
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Fact]
    public async Task Dashboard_FollowsTheEndpointsPolicy()
    {
        await using TestApp app = await TestApp.StartAsync(endpoints: o => o.Policy = "operators");
        using HttpResponseMessage visitor = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/", roles: "visitor"));
        using HttpResponseMessage operatorUser = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/", roles: "operator"));
        Assert.Equal(HttpStatusCode.Forbidden, visitor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, operatorUser.StatusCode);
    }

    [Fact]
    public async Task Dashboard_IsServedWithItsContentTypesAndCachingHeaders()
    {
        await using TestApp app = await TestApp.StartAsync();
        using HttpResponseMessage bare = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache"));
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/llmcache/", bare.Headers.Location?.OriginalString);

        using HttpResponseMessage page = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", page.Headers.CacheControl?.ToString());
        Assert.NotNull(page.Headers.ETag);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>LlmCache</title>", html);
        Assert.DoesNotContain("{{", html);
        Assert.DoesNotContain("http", Regex.Replace(html, "<meta[^>]*>|data:image/svg\\+xml[^\"]*", ""), StringComparison.OrdinalIgnoreCase);   // relative URLs only, no CDN

        foreach ((string file, string type) in new[] { ("dashboard.js", "text/javascript"), ("dashboard.css", "text/css") })
        {
            Match reference = Regex.Match(html, "assets/" + Regex.Escape(file) + @"\?v=([0-9a-f]{16})");
            Assert.True(reference.Success, file + " is referenced with its version");
            using HttpResponseMessage asset = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/" + reference.Value));
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal(type, asset.Content.Headers.ContentType?.MediaType);
            Assert.Contains("immutable", asset.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", asset.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("\"" + reference.Groups[1].Value + "\"", asset.Headers.ETag?.Tag);

            HttpRequestMessage again = app.Request(HttpMethod.Get, "/llmcache/" + reference.Value);
            again.Headers.TryAddWithoutValidation("If-None-Match", asset.Headers.ETag!.Tag);
            using HttpResponseMessage notModified = await app.Client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        using HttpResponseMessage missing = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/assets/index.html"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Stats_ReportLatenciesFromTheMeter()
    {
        await using TestApp app = await TestApp.StartAsync();
        await app.Answers.AskAsync("acme", "latency");
        await app.Answers.AskAsync("acme", "latency");
        await app.Answers.AskAsync("acme", "latency");

        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/stats"));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement meter = body.RootElement.GetProperty("meter");
        JsonElement latency = meter.GetProperty("latency");
        Assert.Equal(2, latency.GetProperty("hit").GetProperty("count").GetInt64());
        Assert.Equal(1, latency.GetProperty("miss").GetProperty("count").GetInt64());
        Assert.Equal(1, latency.GetProperty("method").GetProperty("count").GetInt64());
        Assert.True(latency.GetProperty("hit").GetProperty("meanMs").GetDouble() > 0);
        JsonElement method = Assert.Single(meter.GetProperty("methods").EnumerateArray());
        Assert.Equal(2, method.GetProperty("hit").GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Array, meter.GetProperty("models").ValueKind);
        Assert.Equal(JsonValueKind.Array, meter.GetProperty("errors").ValueKind);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Stats_CountEachTiersHits()
    {
        var shared = new FlakyTier();
        await using TestApp first = await TestApp.StartAsync(shared);
        await using TestApp second = await TestApp.StartAsync(shared);
        await first.Answers.AskAsync("acme", "tier");
        await first.Answers.AskAsync("acme", "tier");   // a memory hit: no tier read
        await first.Runtime.FlushAsync();
        await second.Answers.AskAsync("acme", "tier");  // a fresh process: answered by the tier
        Assert.Equal(0, second.Answers.Calls);

        Assert.Equal(0, await TierHitsAsync(first));
        Assert.Equal(1, await TierHitsAsync(second));
    }

    private static async Task<long> TierHitsAsync(TestApp app)
    {
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/stats"));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return Assert.Single(body.RootElement.GetProperty("tiers").EnumerateArray()).GetProperty("hits").GetInt64();
    }

    private static async Task<string> MethodIdAsync(TestApp app, string name)
    {
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/stats"));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("methods").EnumerateArray()
            .Select(m => m.GetProperty("methodId").GetString()!)
            .Single(id => id.Contains("." + name + ".", StringComparison.Ordinal));
    }
}
