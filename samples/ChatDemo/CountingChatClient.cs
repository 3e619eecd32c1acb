using Microsoft.Extensions.AI;

namespace ChatDemo;

/// <summary>
/// Counts the requests that reach the LLM. It sits right above the provider's client, below any cache,
/// so both ways into the cache (the <c>[LlmCached]</c> method and the middleware) count a call the same way.
/// </summary>
internal sealed class CountingChatClient(IChatClient provider) : DelegatingChatClient(provider)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }
}
