using LlmCache.Testing;
using System.Diagnostics;

namespace LlmCache.Redis.Tests;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, started for the tests and stopped by its PID.
/// The binary comes from LLMCACHE_REDIS_SERVER or the PATH (eng/test.sh installs Debian's package).
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-redis-" + Guid.NewGuid().ToString("N"));

    private readonly bool _cluster;
    private readonly IReadOnlyList<string> _arguments;

    /// <param name="cluster">Start a cluster node.</param>
    /// <param name="arguments">More configuration, after the defaults (later settings win); <c>{port}</c> stands for <see cref="Port"/>.</param>
    public RedisServer(bool cluster = false, IReadOnlyList<string>? arguments = null)
    {
        _cluster = cluster;
        _arguments = arguments ?? [];
        Directory.CreateDirectory(_dir);
        Port = LoopbackPorts.Free();
        Start();
    }

    public int Port { get; }

    public int Pid { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    public void Start()
    {
        string binary = Environment.GetEnvironmentVariable("LLMCACHE_REDIS_SERVER") is { Length: > 0 } configured ? configured : "redis-server";
        string pidFile = Path.Combine(_dir, "redis.pid");
        File.Delete(pidFile);
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "yes", "--pidfile", pidFile, "--dir", _dir },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_cluster)
        {
            foreach (string arg in new[] { "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_dir, "nodes.conf"), "--cluster-node-timeout", "2000" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        foreach (string arg in _arguments)
        {
            start.ArgumentList.Add(arg.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        using Process launcher = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        launcher.WaitForExit(10_000);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) && LoopbackPorts.Accepts(Port))
            {
                Pid = pid;
                return;
            }
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"redis-server did not come up on port {Port}");
    }

    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    public void Kill()
    {
        Signal("KILL");
        var clock = Stopwatch.StartNew();
        while (LoopbackPorts.Accepts(Port) && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        if (Pid != 0)
        {
            Signal("CONT");
            Signal("KILL");
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Signal(string signal) => ProcessSignals.Send(Pid, signal);


}
