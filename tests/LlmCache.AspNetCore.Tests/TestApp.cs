using System.Security.Claims;
using System.Text.Encodings.Web;
using LlmCache.AspNetCore;
using LlmCache.Disk;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCache.AspNetCore.Tests;

/// <summary>
/// A minimal application on a <see cref="TestServer"/>: LlmCache with the given tiers, the operator
/// endpoints at <c>/llmcache</c>, health checks, and a test authentication scheme that signs in whoever
/// sends <c>X-Test-User</c> (with the roles in <c>X-Test-Roles</c>).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _directory;

    private TestApp(WebApplication app, string? directory)
    {
        _app = app;
        _directory = directory;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public LlmCacheRuntime Runtime => Services.GetRequiredService<LlmCacheRuntime>();

    public Answers Answers => Services.GetRequiredService<Answers>();

    /// <summary>Starts the application.</summary>
    /// <param name="tier">An in-test tier; null for a disk tier in a temporary folder (unless <paramref name="tiers"/> adds tiers).</param>
    /// <param name="endpoints">Options of <c>MapLlmCache</c>.</param>
    /// <param name="health">Options of the health checks.</param>
    /// <param name="resilience">Changes to the tier pipeline.</param>
    /// <param name="tiers">Adds package tiers (Redis …) instead of the default disk tier.</param>
    public static async Task<TestApp> StartAsync(FlakyTier? tier = null, Action<LlmCacheEndpointOptions>? endpoints = null,
        Action<LlmCacheHealthCheckOptions>? health = null, Action<TierResilienceOptions>? resilience = null, Action<LlmCacheBuilder>? tiers = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        string? directory = null;
        LlmCacheBuilder cache = builder.Services.AddLlmCache(o =>
        {
            o.UseAsDefault = false;
            resilience?.Invoke(o.TierResilience);
            if (tier is not null)
            {
                o.Tiers.Add(tier);
            }
        });
        if (tiers is not null)
        {
            tiers(cache);
        }
        else if (tier is null)
        {
            directory = Path.Combine(Path.GetTempPath(), "llmcache-aspnet-" + Guid.NewGuid().ToString("N"));
            cache.AddDiskTier(o => o.Directory = directory);
        }
        builder.Services.AddSingleton<Answers>();
        builder.Services.AddAuthentication(TestAuthentication.Scheme)
            .AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.Scheme, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
        builder.Services.AddHealthChecks().AddLlmCache(o =>
        {
            o.Tags.Add("ready");
            health?.Invoke(o);
        });

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapLlmCache("/llmcache", endpoints);
        app.MapHealthChecks("/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
        });
        await app.StartAsync();
        return new TestApp(app, directory);
    }

    /// <summary>A request from a signed-in user, with the given roles.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, string? roles = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(TestAuthentication.UserHeader, "ops");
        if (roles is not null)
        {
            request.Headers.Add(TestAuthentication.RolesHeader, roles);
        }
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // The folder is in the temporary directory; a file still held open is left to it.
            }
        }
    }

    private sealed class TestAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Scheme = "Test";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            foreach (string role in Request.Headers[RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme)));
        }
    }
}
