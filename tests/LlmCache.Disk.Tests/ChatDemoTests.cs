using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace LlmCache.Disk.Tests;

/// <summary>The sample on its embedded default (memory + disk): its contract and its promise.</summary>
public sealed class ChatDemoTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmcache-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void ASecondRunOfTheSameWorkload_MakesNoLlmCall()
    {
        (int code, string output) = Run("--requests", "60", "--llm-latency-ms", "1", "--seed", "7", "--disk-path", _dir);
        Assert.Equal(0, code);
        JsonElement first = LastLine(output);
        Assert.Equal(60, first.GetProperty("requests").GetInt32());
        Assert.Equal(first.GetProperty("misses").GetInt32(), first.GetProperty("llm_calls").GetInt32());
        Assert.Equal(60, first.GetProperty("hits").GetInt32() + first.GetProperty("misses").GetInt32());
        Assert.Equal(0, first.GetProperty("errors").GetInt32());
        Assert.True(first.GetProperty("elapsed_ms").GetInt64() >= 0);
        Assert.Equal("memory,disk", first.GetProperty("cache").GetString());

        (code, output) = Run("--requests", "60", "--llm-latency-ms", "1", "--seed", "7", "--disk-path", _dir);
        Assert.Equal(0, code);
        JsonElement second = LastLine(output);
        Assert.Equal(0, second.GetProperty("llm_calls").GetInt32());
        Assert.Equal(60, second.GetProperty("hits").GetInt32());
    }

    [Fact]
    public void TheMiddleware_CountsLikeTheMethod_InEntriesOfItsOwn_AndASecondRunMakesNoLlmCall()
    {
        string[] workload = ["--requests", "60", "--llm-latency-ms", "1", "--seed", "7", "--disk-path", _dir];
        (int code, string output) = Run([.. workload, "--client", "method"]);
        Assert.Equal(0, code);
        JsonElement method = LastLine(output);

        // The same file, but the middleware's entries live under its own method id: a miss run, counted the same way.
        (code, output) = Run([.. workload, "--client", "middleware"]);
        Assert.Equal(0, code);
        JsonElement first = LastLine(output);
        foreach (string field in new[] { "requests", "hits", "misses", "llm_calls", "errors" })
        {
            Assert.Equal(method.GetProperty(field).GetInt32(), first.GetProperty(field).GetInt32());
        }
        Assert.Equal(method.GetProperty("tokens_saved").GetInt64(), first.GetProperty("tokens_saved").GetInt64());
        Assert.True(first.GetProperty("llm_calls").GetInt32() > 0);

        (code, output) = Run([.. workload, "--client", "middleware"]);
        Assert.Equal(0, code);
        JsonElement second = LastLine(output);
        Assert.Equal(0, second.GetProperty("llm_calls").GetInt32());
        Assert.Equal(60, second.GetProperty("hits").GetInt32());
        Assert.Equal(0, second.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void AProcessKilledMidWrite_LeavesAFileThatIsIntactAndServesHits()
    {
        // --no-cache skips every read but stores every answer: the disk tier is written without pause,
        // so the kill lands while writes are in flight.
        using (Process writer = Start("--requests", "10000000", "--llm-latency-ms", "0", "--no-cache", "--seed", "7", "--disk-path", _dir))
        {
            _ = writer.StandardOutput.ReadToEndAsync(); // drained, so a full pipe never stalls the writer
            _ = writer.StandardError.ReadToEndAsync();
            string file = Path.Combine(_dir, "llmcache.db");
            var clock = Stopwatch.StartNew();
            // Past what creating the schema alone writes to the log (its tables and indexes take a few dozen KB).
            while (!(File.Exists(file + "-wal") && new FileInfo(file + "-wal").Length > 512 * 1024))
            {
                Assert.False(writer.HasExited, "the writer ended before it was killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the writer never wrote to disk");
                Thread.Sleep(20);
            }
            writer.Kill(); // SIGKILL: no dispose, no flush, no checkpoint
            writer.WaitForExit();
        }

        Assert.True(IntactEntryCount() > 0, "nothing was stored before the kill");

        (int code, string output) = Run("--requests", "60", "--llm-latency-ms", "1", "--seed", "7", "--disk-path", _dir);
        Assert.Equal(0, code);
        JsonElement after = LastLine(output);
        Assert.Equal(0, after.GetProperty("errors").GetInt32());
        Assert.True(after.GetProperty("hits").GetInt32() > 0, output);
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.Contains(".corrupt-", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoProcessesWritingOneFileAtOnce_BothSucceed_AndTheFileStaysIntact()
    {
        // Both store every answer (--no-cache): their writes to the shared file interleave.
        string[] args = ["--requests", "3000", "--llm-latency-ms", "0", "--no-cache", "--seed", "11", "--disk-path", _dir];
        using Process first = Start(args);
        using Process second = Start(args);
        Task<string> firstOutput = first.StandardOutput.ReadToEndAsync();
        Task<string> secondOutput = second.StandardOutput.ReadToEndAsync();
        Task<string> firstErrors = first.StandardError.ReadToEndAsync();
        Task<string> secondErrors = second.StandardError.ReadToEndAsync();
        Assert.True(first.WaitForExit(TimeSpan.FromMinutes(2)) && second.WaitForExit(TimeSpan.FromMinutes(2)), "a writer did not finish");
        foreach ((Process process, string output) in new[] { (first, firstOutput.Result + firstErrors.Result), (second, secondOutput.Result + secondErrors.Result) })
        {
            Assert.True(process.ExitCode == 0, output);
            JsonElement summary = LastLine(output);
            Assert.Equal(0, summary.GetProperty("errors").GetInt32());
            Assert.Equal(3000, summary.GetProperty("llm_calls").GetInt32());
        }
        Assert.True(IntactEntryCount() > 0);
        (int code, string after) = Run("--requests", "60", "--llm-latency-ms", "1", "--seed", "11", "--disk-path", _dir);
        Assert.Equal(0, code);
        Assert.Equal(0, LastLine(after).GetProperty("llm_calls").GetInt32()); // every question was stored by one of them
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--requests", "abc")]
    [InlineData("--ttl", "0")]
    [InlineData("--cache", "floppy")]
    [InlineData("--namespace", "bad name")]
    [InlineData("--client", "proxy")]
    [InlineData("--client")]
    public void BadOptions_ExitWithCode2_AndAClearMessage(params string[] args)
    {
        (int code, string output) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("chatdemo:", output, StringComparison.Ordinal);
    }

    private static JsonElement LastLine(string output)
    {
        string last = output.TrimEnd().Split('\n')[^1];
        return JsonDocument.Parse(last).RootElement;
    }

    /// <summary>Asserts that the cache file passes SQLite's integrity check; returns how many entries it holds.</summary>
    private long IntactEntryCount()
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "llmcache.db")};Pooling=false"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
            check.CommandText = "SELECT COUNT(*) FROM entries";
            return (long)check.ExecuteScalar()!;
        }
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        using Process process = Start(args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the sample did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static Process Start(params string[] args)
    {
        string here = Path.GetDirectoryName(Assembly.GetExecutingAssembly().Location)!;
        // tests/LlmCache.Disk.Tests/bin/{Configuration}/net10.0 -> samples/ChatDemo/bin/{Configuration}/net10.0
        string configuration = new DirectoryInfo(here).Parent!.Name;
        string root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        string demo = Path.Combine(root, "samples", "ChatDemo", "bin", configuration, "net10.0", "ChatDemo.dll");
        Assert.True(File.Exists(demo), "the sample was not built at " + demo);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(demo);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("OPENAI_API_KEY");
        return Process.Start(start)!;
    }
}
