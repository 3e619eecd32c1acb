using LlmCache.Testing;
using System.Diagnostics;

namespace LlmCache.S3.Tests;

/// <summary>
/// A real S3-compatible server (s3rver, from npm) on 127.0.0.1 and a free port, with one bucket,
/// started for the tests and stopped by its PID. The binary comes from LLMCACHE_S3RVER or the
/// repository's .tools folder (eng/test.sh installs it).
/// </summary>
public sealed class S3Server : IDisposable
{
    public const string Bucket = "llmcache-test";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-s3-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    private readonly string[] _extraArguments = [];
    private readonly string[] _tlsFiles = [];

    public S3Server()
        : this(tls: false)
    {
    }

    /// <summary>With <paramref name="tls"/>, serves HTTPS with a self-signed certificate made for the run.</summary>
    public S3Server(bool tls)
    {
        Directory.CreateDirectory(_dir);
        if (tls)
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            string key = Path.Combine(_dir, "..", Path.GetFileName(_dir) + ".key");
            string cert = Path.Combine(_dir, "..", Path.GetFileName(_dir) + ".crt");
            File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(cert, certificate.ExportCertificatePem());
            _extraArguments = ["--key", key, "--cert", cert];
            _tlsFiles = [key, cert];
            Scheme = "https";
        }
        Port = LoopbackPorts.Free();
        Start();
    }

    public int Port { get; }

    public string Scheme { get; } = "http";

    public string ServiceUrl => $"{Scheme}://127.0.0.1:{Port}";

    public void Start()
    {
        string binary = Environment.GetEnvironmentVariable("LLMCACHE_S3RVER") is { Length: > 0 } configured ? configured : FindInRepo();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-d", _dir, "-a", "127.0.0.1", "-p", Port.ToString(), "-s", "--configure-bucket", Bucket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in _extraArguments)
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("s3rver did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!LoopbackPorts.Accepts(Port))
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"s3rver did not come up on port {Port}");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>Freezes the server (SIGSTOP): connections are accepted by the kernel but never answered.</summary>
    public void Pause() => ProcessSignals.Send(_process!.Id, "STOP");

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => ProcessSignals.Send(_process!.Id, "CONT");

    /// <summary>Kills the server; <see cref="Start"/> brings it back on the same port with the same objects.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            ProcessSignals.Send(_process.Id, "CONT");
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        foreach (string file in _tlsFiles)
        {
            File.Delete(file);
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindInRepo()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".tools", "node_modules", ".bin", "s3rver");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("s3rver was not found: run eng/test.sh, which installs it, or set LLMCACHE_S3RVER");
    }


}
