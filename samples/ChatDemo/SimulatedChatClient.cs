using Microsoft.Extensions.AI;

namespace ChatDemo;

/// <summary>A stand-in LLM: answers after a fixed latency and reports token usage like a real provider.</summary>
internal sealed class SimulatedChatClient(TimeSpan latency) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        string question = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        int inputTokens = messages.Sum(m => m.Text.Length) / 4 + 8;
        string answer = $"Thanks for asking \"{question}\". Here is what to do: open Settings, choose the matching section, and follow the guided steps. If anything is unclear, reply and a human agent will help.";
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = options?.ModelId ?? "simulated",
            Usage = new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = answer.Length / 4, TotalTokenCount = inputTokens + answer.Length / 4 },
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ChatDemo does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
