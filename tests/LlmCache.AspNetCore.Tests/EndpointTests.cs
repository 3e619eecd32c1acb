using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LlmCache.Generated;

namespace LlmCache.AspNetCore.Tests;

public sealed class EndpointTests
{
    [Fact]
    public async Task AnonymousRequest_IsRefusedByDefault()
    {
        await using TestApp app = await TestApp.StartAsync();
        using HttpResponseMessage ping = await app.Client.GetAsync("/llmcache/ping");
        using HttpResponseMessage delete = await app.Client.DeleteAsync("/llmcache/tags/faq");
        Assert.Equal(HttpStatusCode.Unauthorized, ping.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
    }

    [Fact]
    public async Task AnonymousRequest_IsServedOnlyWhenTheAppAllowsIt()
    {
        await using TestApp app = await TestApp.StartAsync(endpoints: o => o.AllowAnonymous = true);
        using HttpResponseMessage ping = await app.Client.GetAsync("/llmcache/ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Policy_RefusesAUserItDoesNotAdmit()
    {
        await using TestApp app = await TestApp.StartAsync(endpoints: o => o.Policy = "operators");
        using HttpResponseMessage visitor = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping", roles: "visitor"));
        using HttpResponseMessage operatorUser = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping", roles: "operator"));
        Assert.Equal(HttpStatusCode.Forbidden, visitor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, operatorUser.StatusCode);
    }

    [Fact]
    public async Task Ping_ReportsEveryTier()
    {
        await using TestApp app = await TestApp.StartAsync();
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement tier = Assert.Single(body.RootElement.GetProperty("tiers").EnumerateArray());
        Assert.Equal("0:SqliteCacheTier", tier.GetProperty("name").GetString());
        Assert.Equal("SqliteCacheTier", tier.GetProperty("kind").GetString());
        Assert.True(tier.GetProperty("reachable").GetBoolean());
        Assert.True(tier.GetProperty("latencyMs").GetDouble() >= 0);
        Assert.Equal("closed", tier.GetProperty("breaker").GetString());
        Assert.Equal(JsonValueKind.Null, tier.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Stats_ReportTotalsAndEachMethod_AsTheRuntimeCountsThem()
    {
        await using TestApp app = await TestApp.StartAsync();
        await app.Answers.AskAsync("acme", "q1");
        await app.Answers.AskAsync("acme", "q1");
        await app.Answers.AskAsync("acme", "q1");
        await app.Answers.AskAsync("acme", "q2");

        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/stats"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = body.RootElement;
        Assert.Equal(2, root.GetProperty("totals").GetProperty("hits").GetInt64());
        Assert.Equal(2, root.GetProperty("totals").GetProperty("misses").GetInt64());
        Assert.Equal(0.5, root.GetProperty("hitRate").GetDouble());
        Assert.Equal("USD", root.GetProperty("currency").GetString());
        JsonElement method = Assert.Single(root.GetProperty("methods").EnumerateArray());
        Assert.StartsWith("LlmCache.AspNetCore.Tests.Answers.AskAsync.", method.GetProperty("methodId").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, method.GetProperty("memoryHits").GetInt64());
        Assert.Equal(0, method.GetProperty("distributedHits").GetInt64());
        Assert.Equal(2, method.GetProperty("misses").GetInt64());
        Assert.Equal(0.5, method.GetProperty("hitRate").GetDouble());
        Assert.Equal("0:SqliteCacheTier", Assert.Single(root.GetProperty("tiers").EnumerateArray()).GetProperty("name").GetString());

        using HttpResponseMessage anonymous = await app.Client.GetAsync("/llmcache/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Ping_ReportsATierThatDoesNotAnswer()
    {
        var tier = new FlakyTier { Fails = true };
        await using TestApp app = await TestApp.StartAsync(tier);
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Get, "/llmcache/ping"));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement entry = Assert.Single(body.RootElement.GetProperty("tiers").EnumerateArray());
        Assert.False(entry.GetProperty("reachable").GetBoolean());
        Assert.Contains("unreachable", entry.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeleteKey_RemovesTheEntry()
    {
        await using TestApp app = await TestApp.StartAsync();
        await CachedAsync(app, "acme", "key");
        string key = LlmCacheKeys.Answers_AskAsync("acme", "key").Key(app.Runtime);
        await AssertRemovedAsync(app, "/llmcache/keys/" + Uri.EscapeDataString(key), "acme", "key");
    }

    [Fact]
    public async Task DeleteTag_RemovesTheEntriesCarryingIt()
    {
        await using TestApp app = await TestApp.StartAsync();
        await CachedAsync(app, "acme", "tag");
        await AssertRemovedAsync(app, "/llmcache/tags/faq", "acme", "tag");
    }

    [Fact]
    public async Task DeleteTenant_RemovesThatTenantsEntriesOnly()
    {
        await using TestApp app = await TestApp.StartAsync();
        await CachedAsync(app, "acme", "tenant");
        await CachedAsync(app, "globex", "tenant");
        await AssertRemovedAsync(app, "/llmcache/tenants/acme", "acme", "tenant");
        int calls = app.Answers.Calls;
        await app.Answers.AskAsync("globex", "tenant");
        Assert.Equal(calls, app.Answers.Calls);
    }

    [Fact]
    public async Task DeleteWithoutAValue_IsABadRequestWithProblemDetails()
    {
        await using TestApp app = await TestApp.StartAsync();
        foreach (string path in new[] { "/llmcache/tags/%20", "/llmcache/keys", "/llmcache/tenants/" })
        {
            using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Delete, path));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task PostNamespace_ChangesTheNamespaceAndOrphansEntries()
    {
        await using TestApp app = await TestApp.StartAsync();
        await CachedAsync(app, "acme", "ns");
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/llmcache/namespace",
            content: JsonContent.Create(new { @namespace = "v2" })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v2", app.Runtime.Options.Namespace);
        int calls = app.Answers.Calls;
        await app.Answers.AskAsync("acme", "ns");
        Assert.Equal(calls + 1, app.Answers.Calls);
    }

    [Fact]
    public async Task PostNamespace_RefusesAnInvalidName()
    {
        await using TestApp app = await TestApp.StartAsync();
        string before = app.Runtime.Options.Namespace;
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/llmcache/namespace",
            content: JsonContent.Create(new { @namespace = "no spaces/allowed" })));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, app.Runtime.Options.Namespace);
    }

    [Fact]
    public async Task Delete_ReportsIncompleteWhileATierIsUnreachable()
    {
        var tier = new FlakyTier();
        await using TestApp app = await TestApp.StartAsync(tier, resilience: o => o.WriteRetries = 0);
        await CachedAsync(app, "acme", "down");
        tier.Fails = true;
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Delete, "/llmcache/tags/faq"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("complete").GetBoolean());
        int calls = app.Answers.Calls;
        await app.Answers.AskAsync("acme", "down");
        Assert.Equal(calls + 1, app.Answers.Calls);
    }

    /// <summary>Calls the method twice: the second call must be a hit.</summary>
    private static async Task CachedAsync(TestApp app, string tenant, string question)
    {
        int calls = app.Answers.Calls;
        string first = await app.Answers.AskAsync(tenant, question);
        Assert.Equal(first, await app.Answers.AskAsync(tenant, question));
        Assert.Equal(calls + 1, app.Answers.Calls);
    }

    /// <summary>Sends the DELETE, expects 202 with a complete removal, and a miss for the call afterwards.</summary>
    private static async Task AssertRemovedAsync(TestApp app, string path, string tenant, string question)
    {
        using HttpResponseMessage response = await app.Client.SendAsync(app.Request(HttpMethod.Delete, path));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("complete").GetBoolean());
        int calls = app.Answers.Calls;
        await app.Answers.AskAsync(tenant, question);
        Assert.Equal(calls + 1, app.Answers.Calls);
    }
}
