using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;
using Xunit;

namespace LlmCache.Redis.Tests;

/// <summary>
/// A Redis that takes TLS only (its certificate issued by a private authority made here) and an ACL
/// user with a password: the tier connects with a configuration string and trusts the authority
/// through <see cref="RedisTierOptions.ConfigureConnection"/>.
/// </summary>
public sealed class RedisSecureConnectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmcache-redis-tls-").FullName;
    private readonly X509Certificate2 _authority;
    private readonly RedisServer _server;

    public RedisSecureConnectionTests()
    {
        (_authority, string cert, string key) = IssueServerCertificate(_dir);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), _authority.ExportCertificatePem());
        _server = new RedisServer(arguments:
        [
            "--port", "0", "--tls-port", "{port}",
            "--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", Path.Combine(_dir, "ca.pem"),
            "--tls-auth-clients", "no",
            "--user", "default", "off",
            "--user", "llm", "on", ">s3cret-pass", "~*", "&*", "+@all",
        ]);
    }

    public void Dispose()
    {
        _server.Dispose();
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private RedisCacheTier Tier(string password) => new(new RedisTierOptions
    {
        Configuration = $"127.0.0.1:{_server.Port},ssl=true,sslHost=localhost,user=llm,password={password}",
        OperationTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConfigureConnection = options => options.TrustIssuer(_authority),
    });

    [Fact]
    public async Task OverTlsWithAnAclUser_AnswersAreStoredAndServed()
    {
        using RedisCacheTier tier = Tier("s3cret-pass");
        Assert.True(tier.Subscribed.Wait(TimeSpan.FromSeconds(10)), "the invalidation subscription never became active");
        await using (var first = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } }))
        {
            await new Answers(first).AskAsync("secure");
        }
        await using var second = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        var answers = new Answers(second);
        Assert.Equal("answer to secure", await answers.AskAsync("secure"));
        Assert.Equal(0, answers.Calls); // served from Redis, over TLS, as the ACL user

        // The server really takes TLS only: the same credentials in plain text get nowhere.
        using ConnectionMultiplexer plain = await ConnectionMultiplexer.ConnectAsync(
            $"127.0.0.1:{_server.Port},user=llm,password=s3cret-pass,abortConnect=false,connectTimeout=1000");
        Assert.False(plain.IsConnected);
    }

    [Fact]
    public async Task AWrongPassword_IsAMiss_NeverAnError()
    {
        using RedisCacheTier tier = Tier("wrong");
        await using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        var answers = new Answers(runtime);
        Assert.Equal("answer to a", await answers.AskAsync("a"));
        Assert.Equal("answer to b", await answers.AskAsync("b"));
        Assert.False(tier.IsConnected);
        await Assert.ThrowsAnyAsync<Exception>(() => tier.GetAsync("k"));
    }

    private static (X509Certificate2 Authority, string CertFile, string KeyFile) IssueServerCertificate(string dir)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using ECDsa authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=LlmCache test authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        X509Certificate2 authority = authorityRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using X509Certificate2 server = request.Create(authority, now.AddHours(-1), now.AddHours(12), RandomNumberGenerator.GetBytes(8));
        string certFile = Path.Combine(dir, "server.pem");
        string keyFile = Path.Combine(dir, "server.key");
        File.WriteAllText(certFile, server.ExportCertificatePem());
        File.WriteAllText(keyFile, serverKey.ExportPkcs8PrivateKeyPem());
        return (authority, certFile, keyFile);
    }
}
