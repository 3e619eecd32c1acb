using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Replay;

/// <summary>A fake model whose answer depends on the request only, unless told to number its calls (a model at temperature &gt; 0).</summary>
internal sealed class ScriptedChatClient(bool numberCalls = false, string version = "v1") : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        string text = $"{version}: answer to {messages.LastOrDefault()?.Text}" + (numberCalls ? $" #{call}" : "");
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = options?.ModelId ?? "scripted",
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 7, TotalTokenCount = 19 },
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        foreach (string part in new[] { "streamed ", "answer to ", messages.LastOrDefault()?.Text ?? "" })
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, part);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-1")
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

/// <summary>Cached methods of every shape, each counting the calls that reached it.</summary>
public sealed partial class ReplayAgent(LlmCacheRuntime runtime, [NotKeyed] IChatClient llm)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public LlmCacheRuntime Runtime => runtime;

    [LlmCached(Ttl = "1h")]
    public Task<ChatResponse> AskAsync(string model, IList<ChatMessage> messages, ChatOptions? options, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        return llm.GetResponseAsync(messages, options, ct);
    }

    [LlmCached]
    public ValueTask<string> SummarizeAsync(string text)
    {
        Interlocked.Increment(ref _calls);
        return new ValueTask<string>("summary of " + text);
    }

    [LlmCached]
    public Task<int> CountWordsAsync(string text)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(text.Split(' ').Length);
    }

    [LlmCached]
    public async IAsyncEnumerable<string> StreamAsync(string prompt, int parts)
    {
        Interlocked.Increment(ref _calls);
        for (int i = 0; i < parts; i++)
        {
            await Task.Yield();
            yield return $"{prompt}-{i}";
        }
    }

    [LlmCached]
    public Task<string> FileAsync(ReplayTicket ticket)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult("filed " + ticket.Subject);
    }

    [LlmCached]
    public Task<string> ControlledAsync(string prompt, CacheControl? control)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult("controlled " + prompt);
    }
}

public sealed record ReplayTicket(string Subject, int Priority, IReadOnlyList<string> Labels);

/// <summary>A snapshot folder of its own for each test, deleted afterwards.</summary>
public abstract class SnapshotFolderTest : IDisposable
{
    private readonly List<string> _folders = [];

    protected string NewFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "llmcache-snapshots-" + Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        return folder;
    }

    protected static LlmCacheRuntime Runtime(string folder, LlmCacheMode mode, bool arguments = false) =>
        new(new LlmCacheOptions
        {
            Mode = mode,
            Tiers = { new SnapshotTier(new SnapshotTierOptions { Directory = folder, IncludeArguments = arguments }) },
        });

    protected static IList<ChatMessage> Conversation(params string[] turns)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a careful support assistant.") };
        for (int i = 0; i < turns.Length; i++)
        {
            messages.Add(new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, turns[i]));
        }
        return messages;
    }

    protected static string[] SnapshotFiles(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    public void Dispose()
    {
        foreach (string folder in _folders)
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        GC.SuppressFinalize(this);
    }
}
