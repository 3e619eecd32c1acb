using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace LlmCache.Packaging.Tests;

/// <summary>
/// Packs every packable project under src/ (one <c>dotnet pack</c> of them all) into a local folder
/// feed, checks each package's metadata, and proves the README's install lines: one fresh consumer
/// restores every library package from that feed only (dependencies from the global packages folder,
/// so the test stays offline), builds with warnings as errors, and runs each package's entry point;
/// each .NET tool is installed from the feed and run with <c>--help</c>.
/// </summary>
public sealed partial class PackageTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "llmcache-pack-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
    private readonly List<string> _packageIds = [];

    /// <summary>What the consumer does with each library package: its main entry point, printing one line.</summary>
    private static readonly Dictionary<string, (string Usings, string Code, string Expected)> Uses = new()
    {
        ["LlmCache"] = ("using LlmCache;", """
            var service = new Service();
            string a = await service.AskAsync("hello");
            string b = await service.AskAsync("hello");
            string c = await service.AskAsync("other");
            Console.WriteLine($"core: calls={service.Calls} a={a} b={b} c={c}");
            """, "core: calls=2 a=HELLO b=HELLO c=OTHER"),
        ["LlmCache.Disk"] = ("using LlmCache.Disk;", """
            {
                var services = new ServiceCollection();
                services.AddLlmCache().AddDiskTier(o => o.Directory = Path.Combine(AppContext.BaseDirectory, "disk-cache"));
                await using ServiceProvider provider = services.BuildServiceProvider();
                LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();
                Console.WriteLine($"disk: tiers={runtime.Tiers.Count}");
            }
            """, "disk: tiers=1"),
        ["LlmCache.Redis"] = ("using LlmCache.Redis;", """
            {
                var services = new ServiceCollection();
                int before = services.Count;
                services.AddLlmCache().AddRedisTier(o => o.Configuration = "127.0.0.1:6379,abortConnect=false");
                Console.WriteLine($"redis: registered={services.Count > before}");
            }
            """, "redis: registered=True"),
        ["LlmCache.S3"] = ("using LlmCache.S3;", """
            {
                var services = new ServiceCollection();
                int before = services.Count;
                services.AddLlmCache().AddS3Tier(o => { o.Bucket = "cache"; o.ServiceUrl = "http://127.0.0.1:9000"; });
                Console.WriteLine($"s3: registered={services.Count > before}");
            }
            """, "s3: registered=True"),
        ["LlmCache.AspNetCore"] = ("using Microsoft.AspNetCore.Builder;\nusing Microsoft.AspNetCore.Routing;", """
            {
                WebApplicationBuilder web = WebApplication.CreateSlimBuilder();
                web.Services.AddLlmCache();
                web.Services.AddAuthorization();
                web.Services.AddHealthChecks().AddLlmCache();
                await using WebApplication app = web.Build();
                app.MapLlmCache("/llmcache");
                int mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints)
                    .OfType<RouteEndpoint>().Count(e => e.RoutePattern.RawText?.StartsWith("/llmcache", StringComparison.Ordinal) == true);
                Console.WriteLine($"aspnetcore: endpoints={(mapped > 0 ? "mapped" : "none")}");
            }
            """, "aspnetcore: endpoints=mapped"),
        ["LlmCache.VectorData"] = ("using LlmCache.VectorData;", """
            {
                int properties = SemanticVectorRecord.Definition<Guid>(dimensions: 8).Properties.Count;
                string index;
                try
                {
                    _ = new VectorStoreSemanticIndex<Guid>(null!);
                    index = "accepted null";
                }
                catch (ArgumentNullException)
                {
                    index = "checked";
                }
                Console.WriteLine($"vectordata: definition={(properties > 0 ? "ok" : "empty")} index={index}");
            }
            """, "vectordata: definition=ok index=checked"),
    };

    [Fact]
    public void EveryPackage_InstallsFromALocalFeed_AsTheReadmeSays()
    {
        string repo = RepoRoot();
        string feed = Path.Combine(_work, "feed");
        Directory.CreateDirectory(feed);

        // Every project under src/ goes into one solution (the generator too, so it builds in Release);
        // pack skips the ones that are not packable, so the feed holds exactly the packages there are.
        var solution = new XElement("Solution");
        foreach (string project in Directory.EnumerateFiles(Path.Combine(repo, "src"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            solution.Add(new XElement("Project", new XAttribute("Path", project)));
        }
        string slnx = Path.Combine(_work, "all.slnx");
        solution.Save(slnx);
        string packOutput = Run("dotnet", $"pack \"{slnx}\" -c Release -p:Version={_version} -p:PackageOutputPath=\"{feed}\" -nologo", repo);
        Assert.DoesNotMatch(WarningLine(), packOutput);

        string suffix = $".{_version}.nupkg";
        List<PackableProject> packable = Directory.EnumerateFiles(feed, "*" + suffix)
            .Select(f => Path.GetFileName(f)[..^suffix.Length])
            .Order(StringComparer.Ordinal)
            .Select(id => new PackableProject(id, IsTool(Path.Combine(feed, id + suffix))))
            .ToList();
        _packageIds.Clear();
        _packageIds.AddRange(packable.Select(p => p.Id));
        Assert.Contains(packable, p => p.Id == "LlmCache");

        // The README's install lines name exactly the packages there are.
        string readme = File.ReadAllText(Path.Combine(repo, "README.md"));
        string[] added = AddPackageLine().Matches(readme).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        string[] tools = ToolInstallLine().Matches(readme).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(packable.Where(p => !p.IsTool).Select(p => p.Id).Order(StringComparer.Ordinal), added);
        // Every tool built here has its install line (the README may name a tool whose project lands later).
        Assert.Empty(packable.Where(p => p.IsTool).Select(p => p.Id).Except(tools));

        foreach (PackableProject project in packable)
        {
            AssertPackage(feed, project.Id);
        }

        string consumer = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(consumer);
        string nugetConfig = Path.Combine(consumer, "nuget.config");
        File.WriteAllText(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        // One consumer of every library package. No InterceptorsNamespaces here: the package's props must set it.
        PackableProject[] libraries = packable.Where(p => !p.IsTool).ToArray();
        foreach (PackableProject library in libraries)
        {
            Assert.True(Uses.ContainsKey(library.Id), $"the packaging test has no consumer code for the new package {library.Id}: add it to {nameof(Uses)}");
        }
        string references = string.Join("\n", libraries.Select(p => $"""    <PackageReference Include="{p.Id}" Version="{_version}" />"""));
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
            {references}
              </ItemGroup>
            </Project>
            """);
        // The core first: the other sections build service providers, and one may set LlmCacheRuntime.Default.
        var uses = libraries.OrderBy(p => p.Id == "LlmCache" ? 0 : 1).ThenBy(p => p.Id, StringComparer.Ordinal).Select(p => Uses[p.Id]).ToArray();
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), $$"""
            using LlmCache;
            using Microsoft.Extensions.DependencyInjection;
            {{string.Join("\n", uses.Select(u => u.Usings).Distinct().Where(u => u != "using LlmCache;"))}}

            {{string.Join("\n", uses.Select(u => u.Code))}}
            Console.WriteLine("llmcache-assembly: " + typeof(LlmCacheRuntime).Assembly.Location);

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
        foreach (var use in uses)
        {
            Assert.True(output.Contains(use.Expected, StringComparison.Ordinal), $"expected \"{use.Expected}\" from the consumer, which printed:\n{output}");
        }
        AssertReadyToRunLoaded(feed, consumer, output);
        string props = File.ReadAllText(Path.Combine(consumer, "obj", "Consumer.csproj.nuget.g.props"));
        Assert.Contains("LlmCache.props", props, StringComparison.Ordinal);

        // The package's targets write the build manifest next to the build, for the llmcache CLI.
        string manifest = File.ReadAllText(Path.Combine(consumer, "bin", "Release", "net10.0", "llmcache.manifest.json"));
        Assert.Contains("\"name\":\"Service.AskAsync\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"ttl\":\"00:05:00\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"callSites\":3", manifest, StringComparison.Ordinal);

        // Each tool as the README installs it (--tool-path rather than --global, to leave this machine as it was).
        foreach (PackableProject tool in packable.Where(p => p.IsTool))
        {
            string toolPath = Path.Combine(_work, "tools-" + tool.Id);
            Run("dotnet", $"tool install {tool.Id} --version {_version} --tool-path \"{toolPath}\" --configfile \"{nugetConfig}\"", consumer);
            string command = Directory.EnumerateFiles(toolPath).Single();
            string help = Run(command, "--help", consumer);
            Assert.Contains("Usage", help, StringComparison.OrdinalIgnoreCase);
        }
    }

    private void AssertPackage(string feed, string id)
    {
        string package = Path.Combine(feed, $"{id}.{_version}.nupkg");
        Assert.True(File.Exists(package), $"{id}: the package was not produced");
        Assert.True(File.Exists(Path.ChangeExtension(package, ".snupkg")), $"{id}: no symbol package beside it");
        using ZipArchive zip = ZipFile.OpenRead(package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        using (Stream stream = zip.GetEntry($"{id}.nuspec")!.Open())
        {
            XElement metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Value(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            XElement? Element(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

            Assert.Equal(_version, Value("version"));
            Assert.Equal("MIT", Value("license"));
            Assert.Equal("expression", (string?)Element("license")?.Attribute("type"));
            Assert.False(string.IsNullOrWhiteSpace(Value("description")), $"{id}: no description");
            string? readme = Value("readme");
            Assert.False(string.IsNullOrEmpty(readme), $"{id}: no readme");
            Assert.Contains(readme, entries);
            XElement? repository = Element("repository");
            Assert.NotNull(repository);
            Assert.Equal("git", (string?)repository.Attribute("type"));
            Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
            // The URL and project URL come from the origin remote, when the clone has one.
            if ((string?)repository.Attribute("url") is { } url)
            {
                Assert.StartsWith("http", url, StringComparison.Ordinal);
                Assert.StartsWith("http", Value("projectUrl") ?? "", StringComparison.Ordinal);
            }
        }
        if (id == "LlmCache")
        {
            Assert.Contains("lib/net8.0/LlmCache.dll", entries);
            Assert.Contains("lib/net10.0/LlmCache.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/LlmCache.Generators.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/LlmCache.Generators.CodeFixes.dll", entries);
            Assert.Contains("build/LlmCache.props", entries);
            Assert.Contains("buildTransitive/LlmCache.props", entries);
            Assert.Contains("build/LlmCache.targets", entries);
            Assert.Contains("buildTransitive/LlmCache.targets", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("LlmCache.Generators.dll", StringComparison.Ordinal));

            // The IL assemblies in lib/, and ReadyToRun images of the net10.0 one under runtimes/<rid>/lib/net10.0/
            // (linux-x64 at least), which the host loads in a portable application on that platform.
            Assert.Contains("runtimes/linux-x64/lib/net10.0/LlmCache.dll", entries);
            Assert.False(IsReadyToRun(zip, "lib/net8.0/LlmCache.dll"), "lib/net8.0/LlmCache.dll is not IL only");
            Assert.False(IsReadyToRun(zip, "lib/net10.0/LlmCache.dll"), "lib/net10.0/LlmCache.dll is not IL only");
            string[] images = entries.Where(e => e.StartsWith("runtimes/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)).ToArray();
            Assert.All(images, image =>
            {
                Assert.Matches("^runtimes/[a-z0-9-]+/lib/net10.0/LlmCache.dll$", image);
                Assert.True(IsReadyToRun(zip, image), $"{image} is not a ReadyToRun image");
            });
        }
    }

    /// <summary>
    /// The consumer (a portable application, no RuntimeIdentifier) has every platform's image under
    /// bin/…/runtimes/, and loads the one of the platform this test runs on; on a platform the package
    /// has no image for, the IL assembly beside the application.
    /// </summary>
    private void AssertReadyToRunLoaded(string feed, string consumer, string output)
    {
        string bin = Path.Combine(consumer, "bin", "Release", "net10.0");
        string[] rids;
        using (ZipArchive zip = ZipFile.OpenRead(Path.Combine(feed, $"LlmCache.{_version}.nupkg")))
        {
            rids = zip.Entries.Select(e => ReadyToRunEntry().Match(e.FullName)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToArray();
        }
        Assert.NotEmpty(rids);
        foreach (string rid in rids)
        {
            string copied = Path.Combine(bin, "runtimes", rid, "lib", "net10.0", "LlmCache.dll");
            Assert.True(File.Exists(copied), $"the build did not copy {rid}'s image to {copied}");
        }

        string loaded = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("llmcache-assembly: ", StringComparison.Ordinal))["llmcache-assembly: ".Length..];
        string? platform = PlatformRid();
        string expected = platform is not null && rids.Contains(platform)
            ? Path.Combine(bin, "runtimes", platform, "lib", "net10.0", "LlmCache.dll")
            : Path.Combine(bin, "LlmCache.dll");
        Assert.Equal(Path.GetFullPath(expected), Path.GetFullPath(loaded));
        using var pe = new PEReader(File.OpenRead(loaded));
        Assert.Equal(expected != Path.Combine(bin, "LlmCache.dll"), pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0);
    }

    /// <summary>The package's RID for this process's platform (the host's fallback from e.g. linux-musl-x64 ends there too).</summary>
    private static string? PlatformRid()
    {
        string? os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : null;
        string? arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        return os is null || arch is null ? null : $"{os}-{arch}";
    }

    /// <summary>Whether the package's entry is a ReadyToRun image (its CLR header points at a ReadyToRun header).</summary>
    private static bool IsReadyToRun(ZipArchive zip, string entry)
    {
        using var bytes = new MemoryStream();
        using (Stream stream = zip.GetEntry(entry)!.Open())
        {
            stream.CopyTo(bytes);
        }
        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
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
        foreach (string id in _packageIds.DefaultIfEmpty("LlmCache"))
        {
            string cached = Path.Combine(global, id.ToLowerInvariant(), _version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }

    private sealed record PackableProject(string Id, bool IsTool);

    /// <summary>Whether the package's nuspec declares it a .NET tool.</summary>
    private static bool IsTool(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        using Stream stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/')).Open();
        return XDocument.Load(stream).Descendants().Any(e => e.Name.LocalName == "packageType" && (string?)e.Attribute("name") == "DotnetTool");
    }

    [GeneratedRegex(@"^runtimes/([a-z0-9-]+)/lib/net10\.0/LlmCache\.dll$")]
    private static partial Regex ReadyToRunEntry();

    [GeneratedRegex(@"^dotnet add package (\S+)", RegexOptions.Multiline)]
    private static partial Regex AddPackageLine();

    [GeneratedRegex(@"^dotnet tool install --global (\S+)", RegexOptions.Multiline)]
    private static partial Regex ToolInstallLine();

    /// <summary>An MSBuild or NuGet warning line ("…: warning NU5104: …").</summary>
    [GeneratedRegex(@":\s*warning\s*[A-Z]*[0-9]*\s*:", RegexOptions.Multiline)]
    private static partial Regex WarningLine();

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
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("VSTEST_HOST_DEBUG");
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish in 10 minutes");
        }
        string output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited {process.ExitCode}:\n{output}");
        return output;
    }
}
