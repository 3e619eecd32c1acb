using System.Collections.Concurrent;
using Amazon.Runtime;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace LlmCache.S3.Tests;

/// <summary>The S3 tier's connection options and the HTTP cache headers of the objects it writes, against a real s3rver.</summary>
public sealed class S3OptionsTests : IDisposable
{
    private readonly S3Server _server = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _server.Dispose();

    private S3TierOptions Options() => new()
    {
        Bucket = S3Server.Bucket,
        Prefix = "opts/",
        ServiceUrl = _server.ServiceUrl,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        OperationTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>HEADs the object with a plain HTTP client (s3rver does not check signatures).</summary>
    private async Task<HttpResponseMessage> HeadAsync(S3CacheTier tier, string key)
    {
        using var http = new HttpClient();
        var head = new HttpRequestMessage(HttpMethod.Head, $"{_server.ServiceUrl}/{S3Server.Bucket}/{tier.ObjectKey(key)}");
        HttpResponseMessage response = await http.SendAsync(head);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    [Fact]
    public async Task AnObject_CarriesCacheControl_AndExpires_OfItsEntry()
    {
        using var tier = new S3CacheTier(Options(), timeProvider: _clock);
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, _clock);
        await new Answers(runtime).AskAsync("headers");
        await runtime.FlushAsync();
        string key = Generated.LlmCacheKeys.Answers_AskAsync("headers").Key(runtime);

        using HttpResponseMessage response = await HeadAsync(tier, key);
        Assert.Equal("immutable, max-age=3600, s-maxage=3600", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal(_clock.GetUtcNow().AddHours(1), response.Content.Headers.Expires);
    }

    [Fact]
    public async Task WithoutCacheHeaders_TheObjectHasNone()
    {
        S3TierOptions options = Options();
        options.WriteCacheHeaders = false;
        using var tier = new S3CacheTier(options, timeProvider: _clock);
        await tier.SetAsync("llmcache:plain", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        using HttpResponseMessage response = await HeadAsync(tier, "llmcache:plain");
        Assert.False(response.Headers.Contains("Cache-Control"));
        Assert.Null(response.Content.Headers.Expires);
    }

    [Fact]
    public async Task MaxTtl_CapsTheObjectsLifetime_ItsHeaders_AndItsExpiry()
    {
        S3TierOptions options = Options();
        options.MaxTtl = TimeSpan.FromMinutes(10);
        using var tier = new S3CacheTier(options, timeProvider: _clock);
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, _clock);
        var answers = new Answers(runtime);
        await answers.AskAsync("capped");
        await runtime.FlushAsync();
        string key = Generated.LlmCacheKeys.Answers_AskAsync("capped").Key(runtime);

        TierValue? stored = await tier.GetBoundedAsync(key, long.MaxValue);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10), stored!.Value.Expires);
        using HttpResponseMessage response = await HeadAsync(tier, key);
        Assert.Equal("immutable, max-age=600, s-maxage=600", response.Headers.NonValidated["Cache-Control"].ToString());

        // Past the cap the tier no longer has it: a new runtime (empty memory) calls the method again,
        // although the entry itself would have lived an hour.
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await tier.GetBoundedAsync(key, long.MaxValue));
        await using var second = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }, _clock);
        var again = new Answers(second);
        await again.AskAsync("capped");
        Assert.Equal(1, again.Calls);
    }

    [Fact]
    public async Task ASessionToken_TravelsOnEveryRequest()
    {
        var recorder = new RecordingFactory();
        S3TierOptions options = Options();
        options.SessionToken = "session-token-123";
        options.HttpClientFactory = recorder;
        using var tier = new S3CacheTier(options, timeProvider: _clock);
        await tier.SetAsync("llmcache:token", [7], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        Assert.Equal([7], await tier.GetAsync("llmcache:token"));

        Assert.True(recorder.Requests.Count >= 2);
        Assert.All(recorder.Requests, r => Assert.Equal("session-token-123", r.SecurityToken));
    }

    [Fact]
    public async Task WithoutASessionToken_NoneIsSent()
    {
        var recorder = new RecordingFactory();
        S3TierOptions options = Options();
        options.HttpClientFactory = recorder;
        using var tier = new S3CacheTier(options, timeProvider: _clock);
        await tier.SetAsync("llmcache:plain-token", [7], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        Assert.NotEmpty(recorder.Requests);
        Assert.All(recorder.Requests, r => Assert.Null(r.SecurityToken));
    }

    [Fact]
    public async Task UseHttpsFalse_SendsPlainHttp_ToAnHttpsUrl_AndPathStyleCanBeChosen()
    {
        var recorder = new RecordingFactory();
        S3TierOptions options = Options();
        options.ServiceUrl = $"https://127.0.0.1:{_server.Port}";
        options.UseHttps = false;
        options.ForcePathStyle = true;
        options.HttpClientFactory = recorder;
        using var tier = new S3CacheTier(options, timeProvider: _clock);
        await tier.SetAsync("llmcache:http", [9], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        Assert.Equal([9], await tier.GetAsync("llmcache:http"));
        Assert.All(recorder.Requests, r => Assert.StartsWith($"http://127.0.0.1:{_server.Port}/{S3Server.Bucket}/", r.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASelfSignedEndpoint_IsRefused_UnlessAnyCertificateIsExplicitlyAccepted()
    {
        using var tls = new S3Server(tls: true);
        S3TierOptions options = Options();
        options.ServiceUrl = tls.ServiceUrl;
        using (var checking = new S3CacheTier(options, timeProvider: _clock))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => checking.SetAsync("llmcache:tls", [1],
                new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) }));
        }
        options.AcceptAnyServerCertificate = true;
        using var trusting = new S3CacheTier(options, timeProvider: _clock);
        await trusting.SetAsync("llmcache:tls", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        Assert.Equal([1], await trusting.GetAsync("llmcache:tls"));
    }

    private sealed record Recorded(string Uri, string? SecurityToken);

    private sealed class RecordingFactory : HttpClientFactory
    {
        public ConcurrentQueue<Recorded> Queue { get; } = new();

        public IReadOnlyCollection<Recorded> Requests => Queue.ToArray();

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Recorder(Queue) { InnerHandler = new HttpClientHandler() });

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }

    private sealed class Recorder(ConcurrentQueue<Recorded> queue) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            queue.Enqueue(new Recorded(request.RequestUri!.ToString(),
                request.Headers.TryGetValues("x-amz-security-token", out IEnumerable<string>? values) ? string.Join(",", values) : null));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
