using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bench/LlmCache.Benchmarks -- --filter '*'            full runs
// dotnet run -c Release --project bench/LlmCache.Benchmarks -- --quick --filter '*'    the short profile (< 3 minutes)
// dotnet run -c Release --project bench/LlmCache.Benchmarks -- --alloc                bytes per hit, exactly, in seconds
if (args.Contains("--alloc"))
{
    await LlmCache.Benchmarks.AllocationProbe.RunAsync();
    return;
}
bool quick = args.Contains("--quick");
string[] rest = args.Where(a => a != "--quick").ToArray();
IConfig config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
if (quick)
{
    config = DefaultConfig.Instance
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(120))
            .WithId("quick"))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
