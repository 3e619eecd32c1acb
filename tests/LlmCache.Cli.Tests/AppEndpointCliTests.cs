using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmCache.AspNetCore;
using LlmCache.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary><c>stats</c> and <c>ping</c> with <c>--url</c>: a real Kestrel app on 127.0.0.1 with <c>app.MapLlmCache</c> behind a bearer token.</summary>
public sealed class AppEndpointCliTests : IAsyncLifetime
{
    private const string Token = "Bearer s3cret";
    private WebApplication? _app;
    private SupportBot? _bot;
    private string _url = "";

    public async Task InitializeAsync()
    {
        int port = LoopbackPorts.Free();
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddLlmCache(o =>
        {
            o.Namespace = "web";
            o.UseAsDefault = false;
        });
        builder.Services.AddAuthentication("token").AddScheme<AuthenticationSchemeOptions, TokenHandler>("token", null);
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapLlmCache("/llmcache");
        await _app.StartAsync();
        _url = $"http://127.0.0.1:{port}/llmcache";

        _bot = new SupportBot(_app.Services.GetRequiredService<LlmCacheRuntime>());
        await _bot.AnswerAsync("a"); // a miss
        await _bot.AnswerAsync("a"); // a hit
        await _bot.AnswerAsync("a"); // a hit
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stats_ReadsTheRunningAppsFigures_WithTheHeaderGiven()
    {
        JsonElement result = await CliTestKit.JsonAsync(0, "stats", "--url", _url, "--header", "Authorization: " + Token);
        Assert.Equal("app", result.GetProperty("source").GetString());
        JsonElement stats = result.GetProperty("stats");
        Assert.Equal(2, stats.GetProperty("totals").GetProperty("hits").GetInt64());
        Assert.Equal(1, stats.GetProperty("totals").GetProperty("misses").GetInt64());
        JsonElement method = Assert.Single(stats.GetProperty("methods").EnumerateArray());
        Assert.StartsWith("LlmCache.Cli.Tests.SupportBot.AnswerAsync.", method.GetProperty("methodId").GetString(), StringComparison.Ordinal);

        (int exit, string text, _) = await CliTestKit.RunAsync("stats", "--url", _url, "-H", "Authorization: " + Token);
        Assert.Equal(0, exit);
        Assert.Contains("SupportBot.AnswerAsync", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_ThroughTheApp_ReportsItsTiers()
    {
        JsonElement result = await CliTestKit.JsonAsync(0, "ping", "--url", _url, "--header", "Authorization: " + Token);
        Assert.Equal(JsonValueKind.Array, result.GetProperty("tiers").ValueKind);
    }

    [Fact]
    public async Task WithoutTheToken_TheAppRefuses_AndTheCliSaysSo_WithExitCode1()
    {
        (int exit, string output, string error) = await CliTestKit.RunAsync("stats", "--url", _url, "--json");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Contains("--header", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppThatDoesNotAnswer_IsExitCode1()
    {
        (int exit, _, string error) = await CliTestKit.RunAsync("ping", "--url", $"http://127.0.0.1:{LoopbackPorts.Free()}/llmcache");
        Assert.Equal(1, exit);
        Assert.Contains("did not answer", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeByTag_ThroughTheApp_RemovesItsEntries_SoTheNextCallRunsTheMethod()
    {
        JsonElement result = await CliTestKit.JsonAsync(0, "purge", "--url", _url, "-H", "Authorization: " + Token, "--tag", "support");
        Assert.Equal("app", result.GetProperty("source").GetString());
        Assert.True(result.GetProperty("complete").GetBoolean());
        Assert.Equal(1, _bot!.Calls);
        await _bot.AnswerAsync("a");
        Assert.Equal(2, _bot.Calls);
    }

    [Fact]
    public async Task Bump_MovesTheRunningAppToANewNamespace()
    {
        await CliTestKit.JsonAsync(0, "purge", "--url", _url, "-H", "Authorization: " + Token, "--bump", "web-v2");
        Assert.Equal("web-v2", _app!.Services.GetRequiredService<LlmCacheRuntime>().Options.Namespace);
        await _bot!.AnswerAsync("a");
        Assert.Equal(2, _bot.Calls); // a miss under the new namespace
    }

    [Theory]
    [InlineData("--method", "A.B")]
    [InlineData("--bump", "no spaces")]
    public async Task PurgeThroughTheApp_RefusesWhatTheAppCannotDo_WithExitCode2(string option, string value)
    {
        (int exit, _, string error) = await CliTestKit.RunAsync("purge", "--url", _url, option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith("llmcache: ", error, StringComparison.Ordinal);
    }

    private sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers.Authorization == Token
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity("token")), "token"))
                : AuthenticateResult.NoResult());
    }
}
