using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using LlmCache;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace LlmCache.Benchmarks;

/// <summary>
/// A cache hit for one 2 KB chat request, in one process, against the peers a .NET team would
/// otherwise use. Each benchmark returns a <see cref="ChatResponse"/> the caller may mutate.
/// </summary>
[MemoryDiagnoser]
public class HitPathBenchmarks
{
    private readonly List<ChatMessage> _messages = ChatWorkload.Messages();
    private readonly ChatOptions _options = ChatWorkload.Options();
    private LlmCacheRuntime _runtime = null!;
    private CachedAgent _agent = null!;
    private IChatClient _meai = null!;
    private IChatClient _middleware = null!;
    private IFusionCache _fusion = null!;
    private HybridCache _hybrid = null!;
    private ServiceProvider _services = null!;
    private byte[] _requestBytes = null!;
    private readonly ConcurrentDictionary<string, ChatResponse> _floor = new();
    private string _hybridKey = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _runtime = new LlmCacheRuntime();
        _agent = new CachedAgent(new InstantChatClient(), _runtime);
        await _agent.AskAsync(_messages, _options);
        await _agent.AskTextAsync(_messages, _options);

        _meai = new DistributedCachingChatClient(new InstantChatClient(),
            new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())));
        await _meai.GetResponseAsync(_messages, _options);

        _middleware = new ChatClientBuilder(new InstantChatClient()).UseLlmCache(_runtime).Build();
        await _middleware.GetResponseAsync(_messages, _options);

        _fusion = new FusionCache(new FusionCacheOptions());
        await FusionAsync();

        var services = new ServiceCollection();
        services.AddHybridCache();
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        _hybridKey = ChatWorkload.JsonSha256Key(_messages, _options);
        await HybridPrecomputedKey();

        _requestBytes = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(_messages, AIJsonUtilities.DefaultOptions));
        _floor[Convert.ToHexStringLower(SHA256.HashData(_requestBytes))] = ChatWorkload.Answer();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.Dispose();
        _services.Dispose();
        _fusion.Dispose();
    }

    /// <summary>The floor: SHA-256 over ready request bytes and one dictionary lookup (no copy, no key building).</summary>
    [Benchmark]
    public ChatResponse Floor_Sha256AndLookup()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_requestBytes, hash);
        return _floor.TryGetValue(Convert.ToHexStringLower(hash), out ChatResponse? value) ? value : null!;
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> LlmCache_Generated() => _agent.AskAsync(_messages, _options);

    /// <summary>The same request with an immutable result (a string): shared as it is, with its completed task.</summary>
    [Benchmark]
    public Task<string> LlmCache_Generated_StringResult() => _agent.AskTextAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> MEAI_DistributedCachingChatClient() => _meai.GetResponseAsync(_messages, _options);

    /// <summary>The same request through LlmCache's IChatClient middleware (<c>UseLlmCache()</c>), the drop-in for <c>UseDistributedCache()</c>.</summary>
    [Benchmark]
    public Task<ChatResponse> LlmCache_ChatClientMiddleware() => _middleware.GetResponseAsync(_messages, _options);

    [Benchmark]
    public ValueTask<ChatResponse> FusionCache_JsonSha256Key() => FusionAsync();

    [Benchmark]
    public ValueTask<ChatResponse> HybridCache_PrecomputedKey() => HybridPrecomputedKey();

    [Benchmark]
    public string JsonSha256Key_Alone() => ChatWorkload.JsonSha256Key(_messages, _options);

    private ValueTask<ChatResponse> FusionAsync() =>
        _fusion.GetOrSetAsync(ChatWorkload.JsonSha256Key(_messages, _options), static _ => Task.FromResult(ChatWorkload.Answer()));

    private ValueTask<ChatResponse> HybridPrecomputedKey() =>
        _hybrid.GetOrCreateAsync(_hybridKey, static _ => ValueTask.FromResult(ChatWorkload.Answer()));
}
