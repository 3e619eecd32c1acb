using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache.Tests.Correctness;

public record Prompt(string Text);

public sealed record StyledPrompt(string Text, string Style) : Prompt(Text);

public class Persona
{
    public string Name { get; set; } = "";
}

public sealed class FormalPersona : Persona
{
    public string Register { get; set; } = "";
}

/// <summary>A collection of the user's with a member of its own.</summary>
public sealed class Conversation : List<string>
{
    public string Topic { get; set; } = "";
}

/// <summary>Looks sealed and simple, but it is a dictionary: mutable.</summary>
public sealed class Scores : Dictionary<string, double>;

public record Draft
{
    public string Text { get; set; } = "";
}

/// <summary>Sealed, with only init properties of its own, but its base has a settable one.</summary>
public sealed record FinalDraft : Draft
{
    public string Author { get; init; } = "";
}

/// <summary>Two properties with one JSON name: System.Text.Json cannot build a contract for it.</summary>
public sealed class Clashing
{
    [JsonPropertyName("a")] public string First { get; set; } = "";
    [JsonPropertyName("a")] public string Second { get; set; } = "";
}

/// <summary>Mutable, and its only constructor cannot be bound by System.Text.Json: it cannot be copied.</summary>
public sealed class Uncopyable(int seed)
{
    public int Value { get; set; } = seed * 2;
}

/// <summary>A content kind no serializer knows of.</summary>
public sealed class SecretContent : AIContent
{
    public string Note { get; set; } = "";
}

/// <summary>A sequence that can be read only once (a network stream, a forward-only reader).</summary>
public sealed class OnePass<T>(IEnumerable<T> items) : IEnumerable<T>
{
    private int _reads;

    public IEnumerator<T> GetEnumerator()
    {
        if (Interlocked.Increment(ref _reads) > 1)
        {
            return Enumerable.Empty<T>().GetEnumerator();
        }
        return items.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A second level held in a dictionary, shared by several runtimes as processes share Redis.</summary>
public sealed class DictionaryTier : IDistributedCache
{
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <summary>While true, every removal fails as an unreachable server's would.</summary>
    public volatile bool RemovalsFail;

    public int Count => _values.Count;

    /// <summary>The keys held, as the runtimes wrote them.</summary>
    public IReadOnlyCollection<string> Keys => (IReadOnlyCollection<string>)_values.Keys;

    public byte[]? Get(string key) => _values.TryGetValue(key, out byte[]? v) ? v : null;

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key)
    {
        if (RemovalsFail)
        {
            throw new IOException("the tier is unreachable");
        }
        _values.TryRemove(key, out _);
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _values[key] = value;

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }
}

public sealed class CorrectnessService(LlmCacheRuntime cache)
{
    public int Calls;
    public LlmCacheRuntime Cache => cache;
    // Test instrumentation: each service stands for one process, and its name shows who answered.
    [NotKeyed] public Func<Exception>? Failure;
    [NotKeyed] public TaskCompletionSource? Gate;
    [NotKeyed] public List<int> SeenItems = [];
    [NotKeyed] public string Name = "";

    [LlmCached] public Task<string> StyleAsync(Prompt prompt) { Calls++; return Task.FromResult(prompt.Text + "#" + Calls); }

    [LlmCached] public Task<string> PersonaAsync(Persona persona) { Calls++; return Task.FromResult(persona.Name + "#" + Calls); }

    [LlmCached] public Task<string> ConversationAsync(Conversation conversation) { Calls++; return Task.FromResult(conversation.Topic + "#" + Calls); }

    [LlmCached] public Task<Scores> ScoresAsync(string prompt) { Calls++; return Task.FromResult(new Scores { ["a"] = 1 }); }

    [LlmCached] public Task<FinalDraft> DraftAsync(string prompt) { Calls++; return Task.FromResult(new FinalDraft { Text = prompt, Author = "x" }); }

    // These two results are broken on purpose, to prove the runtime's fallback (logged once, called
    // uncached) for a type System.Text.Json cannot read back; the analyzer rightly reports them.
#pragma warning disable LLMC003
    [LlmCached] public Task<Clashing> ClashingAsync(string prompt) { Calls++; return Task.FromResult(new Clashing { First = prompt }); }

    [LlmCached] public Task<Uncopyable> UncopyableAsync(string prompt) { Calls++; return Task.FromResult(new Uncopyable(Calls)); }
#pragma warning restore LLMC003

    [LlmCached(Tags = ["faq"])]
    public async Task<string> FailingAsync(string prompt, CacheControl? control = null)
    {
        Calls++;
        await Task.Yield();
        if (Failure is { } fail)
        {
            throw fail();
        }
        return prompt + "#" + Name + Calls;
    }

    [LlmCached]
    public async Task<string> GatedAsync(string prompt)
    {
        Calls++;
        if (Gate is { } gate)
        {
            await gate.Task;
        }
        return prompt + "#" + Calls;
    }

    [LlmCached]
    public async Task<string> IgnoresCancellationAsync(string prompt, CancellationToken cancellationToken)
    {
        Calls++;
        await Task.Yield();
        return prompt + "#" + Calls; // returns normally even when its caller has cancelled
    }

    [LlmCached]
    public Task<ChatResponse> BackgroundAsync(string prompt)
    {
        Calls++;
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "partial"))
        {
            ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 1, 2, 3 }),
        });
    }

    [LlmCached]
    public Task<int> SumAsync(IEnumerable<int> numbers)
    {
        Calls++;
        SeenItems = numbers.ToList();
        return Task.FromResult(SeenItems.Sum());
    }

    [LlmCached]
    public async IAsyncEnumerable<ChatResponseUpdate> SecretStreamAsync(string prompt)
    {
        Calls++;
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "one");
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new SecretContent { Note = "n" }]);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "three");
    }

    /// <summary>Like many SDK streams, it ends quietly (no exception) when its caller cancels.</summary>
    [LlmCached]
    public async IAsyncEnumerable<string> QuietStreamAsync(string prompt, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls++;
        for (int i = 0; i < 5; i++)
        {
            await Task.Yield();
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            yield return prompt + i;
        }
    }

    /// <summary>Each run is numbered, so a test can tell which run an answer came from.</summary>
    [LlmCached(Ttl = "1m", Tags = ["model"])]
    public Task<string> NumberedAsync(string key, CacheControl? control = null)
    {
        Calls++;
        return Task.FromResult(key + "#" + (Runs is { } runs ? runs() : Calls));
    }

    [NotKeyed] public Func<int>? Runs;

    [LlmCached(Tenant = "org")]
    public Task<string> TenantAsync(string prompt, string org) { Calls++; return Task.FromResult(org + ":" + prompt + "#" + Calls); }

    [LlmCached(Tenant = "orgId")]
    public Task<string> NumberedTenantAsync(string prompt, int orgId) { Calls++; return Task.FromResult(orgId + ":" + prompt + "#" + Calls); }
}
