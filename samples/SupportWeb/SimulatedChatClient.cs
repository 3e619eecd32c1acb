using Microsoft.Extensions.AI;

namespace SupportWeb;

/// <summary>A stand-in LLM: answers after a fixed latency and reports token usage as a real provider does.</summary>
public sealed class SimulatedChatClient(TimeSpan latency) : IChatClient
{
    private long _calls;

    /// <summary>How many requests reached this "provider" (each one a cache miss).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        IList<ChatMessage> list = messages as IList<ChatMessage> ?? [.. messages];
        string question = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        string answer = options?.ModelId == SupportAgent.TriageModel
            ? Queue(question)
            : $"Thanks for asking \"{question}\". Open Settings, choose the matching section and follow the guided steps; reply here if anything is unclear and a human agent will help.";
        int input = list.Sum(m => m.Text.Length) / 4 + 8;
        int output = answer.Length / 4 + 1;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = options?.ModelId ?? "simulated",
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
    }

    private static string Queue(string question) =>
        question.Contains("invoice", StringComparison.OrdinalIgnoreCase) || question.Contains("card", StringComparison.OrdinalIgnoreCase)
        || question.Contains("refund", StringComparison.OrdinalIgnoreCase) || question.Contains("billing", StringComparison.OrdinalIgnoreCase) ? "billing"
        : question.Contains("ship", StringComparison.OrdinalIgnoreCase) || question.Contains("order", StringComparison.OrdinalIgnoreCase) ? "shipping"
        : question.Contains("API", StringComparison.Ordinal) ? "developers"
        : "account";

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("SupportWeb does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
