using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Middleware;

/// <summary>A fake model that counts its calls: each answer's text names the call that made it.</summary>
internal sealed class CountingChatClient(string provider = "fake", string model = "fake-model", string? endpoint = null) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(provider, endpoint is null ? null : new Uri(endpoint), model);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The options of the last request that reached this client.</summary>
    public ChatOptions? LastOptions { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        LastOptions = options;
        string last = messages.LastOrDefault()?.Text ?? "";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{last}#{call}")) { ModelId = model });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        for (int i = 0; i < 3; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"part{i}#{call} ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
