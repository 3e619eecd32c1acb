using System.Diagnostics;
using System.IO.Compression;
using Xunit;

namespace LlmCache.Packaging.Tests;

/// <summary>
/// Packs the LlmCache package, restores a fresh consumer project from a local folder feed holding
/// it, and proves a call is cached: the package alone must bring the generator, the interceptor
/// namespace and the CS9057 guard.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "llmcache-pack-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;

    [Fact]
    public void PackedPackage_CachesACallInAFreshConsumer()
    {
        string repo = RepoRoot();
        string feed = Path.Combine(_work, "feed");
        Directory.CreateDirectory(feed);
        Run("dotnet", $"pack \"{Path.Combine(repo, "src/Runtime/LlmCache/LlmCache.csproj")}\" -c Release -o \"{feed}\" -p:Version={_version}", repo);

        string package = Path.Combine(feed, $"LlmCache.{_version}.nupkg");
        Assert.True(File.Exists(package), "the package was not produced");
        using (ZipArchive zip = ZipFile.OpenRead(package))
        {
            string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("lib/net8.0/LlmCache.dll", entries);
            Assert.Contains("lib/net10.0/LlmCache.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/LlmCache.Generators.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/LlmCache.Generators.CodeFixes.dll", entries);
            Assert.Contains("build/LlmCache.props", entries);
            Assert.Contains("buildTransitive/LlmCache.props", entries);
            Assert.Contains("build/LlmCache.targets", entries);
            Assert.Contains("buildTransitive/LlmCache.targets", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("LlmCache.Generators.dll", StringComparison.Ordinal));
        }

        string consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // No InterceptorsNamespaces here: the package's props must set it.
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LlmCache" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using LlmCache;

            var service = new Service();
            string a = await service.AskAsync("hello");
            string b = await service.AskAsync("hello");
            string c = await service.AskAsync("other");
            Console.WriteLine($"calls={service.Calls} a={a} b={b} c={c}");

            public sealed class Service
            {
                public int Calls;

                [LlmCached(Ttl = "5m")]
                public Task<string> AskAsync(string prompt)
                {
                    Calls++;
                    return Task.FromResult(prompt.ToUpperInvariant());
                }
            }
            """);

        string output = Run("dotnet", "run -c Release", consumer);
        Assert.Contains("calls=2 a=HELLO b=HELLO c=OTHER", output, StringComparison.Ordinal);
        string props = File.ReadAllText(Path.Combine(consumer, "obj", "Consumer.csproj.nuget.g.props"));
        Assert.Contains("LlmCache.props", props, StringComparison.Ordinal);
        // The package's targets write the build manifest next to the build, for the llmcache CLI.
        string manifest = File.ReadAllText(Path.Combine(consumer, "bin", "Release", "net10.0", "llmcache.manifest.json"));
        Assert.Contains("\"name\": \"Service.AskAsync\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"ttl\": \"00:05:00\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"callSites\": 3", manifest, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
        // The test version must not linger in the global packages folder.
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(global, "llmcache", _version);
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmCache.Generators.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    private static string Run(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Keep the inner build from attaching to this test run's MSBuild node or test logger settings.
        start.Environment["MSBUILDNOINPROCNODE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("VSTEST_HOST_DEBUG");
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 5 minutes");
        }
        string output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited {process.ExitCode}:\n{output}");
        return output;
    }
}
