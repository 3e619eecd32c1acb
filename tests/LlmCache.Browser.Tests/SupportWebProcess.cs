using System.Diagnostics;
using System.Reflection;
using System.Text;
using LlmCache.Testing;

namespace LlmCache.Browser.Tests;

/// <summary>
/// SupportWeb started from its build output (<c>dotnet SupportWeb.dll</c>, no rebuild) on a free port of
/// 127.0.0.1 with a disk tier in a temporary folder; ready once it has seeded its traffic. Disposing it
/// kills the process by its id and deletes the folder.
/// </summary>
public sealed class SupportWebProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _seeded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _directory;

    private SupportWebProcess(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    /// <summary>Where SupportWeb listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts SupportWeb and waits until it has seeded its traffic.</summary>
    public static async Task<SupportWebProcess> StartAsync(TimeSpan timeout)
    {
        string dll = Path.Combine(RepositoryRoot(), "samples", "SupportWeb", "bin", Configuration(), "net10.0", "SupportWeb.dll");
        Assert.True(File.Exists(dll), $"SupportWeb is not built at {dll}");
        int port = LoopbackPorts.Free();
        string directory = Path.Combine(Path.GetTempPath(), "llmcache-browser-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (string arg in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--disk-path", directory, "--llm-latency-ms", "60", "--seed-requests", "120" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var web = new SupportWebProcess(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => web.Received(e.Data);
        process.ErrorDataReceived += (_, e) => web.Received(e.Data);
        process.Exited += (_, _) => web._seeded.TrySetException(new InvalidOperationException("SupportWeb exited with " + process.ExitCode + ":\n" + web.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await web._seeded.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await web.DisposeAsync();
            throw new TimeoutException($"SupportWeb did not seed its traffic within {timeout}:\n{web.Output}");
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
        return web;
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (line.StartsWith("SupportWeb: seeded ", StringComparison.Ordinal))
        {
            _seeded.TrySetResult();
        }
    }

    /// <summary>The folder that holds <c>LlmCache.Generators.sln</c>.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LlmCache.Generators.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    private static string Configuration() =>
        typeof(SupportWebProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using Process byId = Process.GetProcessById(_process.Id);
                byId.Kill(entireProcessTree: true);
                await byId.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException)
        {
            // It had already exited.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
                // In the temporary folder: left to it.
            }
        }
    }
}
