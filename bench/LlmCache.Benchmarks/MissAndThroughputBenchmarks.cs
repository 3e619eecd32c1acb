using BenchmarkDotNet.Attributes;
using LlmCache;
using Microsoft.Extensions.AI;

namespace LlmCache.Benchmarks;

/// <summary>What the cache adds to a miss (key, lookup, store), against calling the method directly.</summary>
[MemoryDiagnoser]
public class MissPathBenchmarks
{
    private readonly InstantChatClient _llm = new();
    private LlmCacheRuntime _runtime = null!;
    private CachedAgent _agent = null!;
    private long _unique;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new LlmCacheRuntime(new LlmCacheOptions { MemoryMaxEntries = 100_000 });
        _agent = new CachedAgent(_llm, _runtime);
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Direct() => _llm.GetResponseAsync([new ChatMessage(ChatRole.User, "What is new?")]);

    [Benchmark]
    public Task<ChatResponse> LlmCache_Miss() => _agent.MissAsync(Interlocked.Increment(ref _unique), "What is new?");
}

/// <summary>Hits from two threads at once: the in-process level must not serialize them.</summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private const int PerThread = 2_000;
    private readonly List<ChatMessage> _messages = ChatWorkload.Messages();
    private readonly ChatOptions _options = ChatWorkload.Options();
    private LlmCacheRuntime _runtime = null!;
    private CachedAgent _agent = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _runtime = new LlmCacheRuntime();
        _agent = new CachedAgent(new InstantChatClient(), _runtime);
        await _agent.AskAsync(_messages, _options);
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(OperationsPerInvoke = PerThread)]
    public void OneThread() => Run();

    [Benchmark(OperationsPerInvoke = 2 * PerThread)]
    public void TwoThreads()
    {
        var other = new Thread(Run);
        other.Start();
        Run();
        other.Join();
    }

    private void Run()
    {
        for (int i = 0; i < PerThread; i++)
        {
            _agent.AskAsync(_messages, _options).GetAwaiter().GetResult();
        }
    }
}
