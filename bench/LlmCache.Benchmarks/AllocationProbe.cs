using Microsoft.Extensions.AI;

namespace LlmCache.Benchmarks;

/// <summary>
/// Bytes allocated per in-memory hit, exactly (GC.GetAllocatedBytesForCurrentThread over many hits),
/// for a quick local check: <c>dotnet run -c Release --project bench/LlmCache.Benchmarks -- --alloc</c>.
/// The README's numbers come from BenchmarkDotNet's MemoryDiagnoser; this isolates the parts.
/// </summary>
public static class AllocationProbe
{
    public static async Task RunAsync()
    {
        using var runtime = new LlmCacheRuntime();
        var agent = new CachedAgent(new InstantChatClient(), runtime);
        List<ChatMessage> messages = ChatWorkload.Messages();
        ChatOptions options = ChatWorkload.Options();
        await agent.AskAsync(messages, options);
        await agent.AskTextAsync(messages, options);

        ChatResponse answer = ChatWorkload.Answer();
        Parts();
        for (int round = 0; round < 3; round++)
        {
            Report("ChatResponse hit (key + lookup + copy + Task)", () => agent.AskAsync(messages, options));
            Report("string hit (key + lookup + Task, no copy)", () => agent.AskTextAsync(messages, options));
            Report("ChatResponse copy alone + Task", () => Task.FromResult(ChatCopies.Copy(answer)));
        }
    }

    /// <summary>Sizes of the objects a copy consists of (for deciding what to cut).</summary>
    public static void Parts()
    {
        var messages = new List<ChatMessage>(1);
        var contents = new List<AIContent>(1);
        var message = new ChatMessage(ChatRole.Assistant, contents);
        Report("List(1)", () => Task.FromResult(new List<AIContent>(1)));
        Report("TextContent", () => Task.FromResult(new TextContent("x")));
        Report("ChatMessage(role, list)", () => Task.FromResult(new ChatMessage(ChatRole.Assistant, contents)));
        Report("ChatResponse(list)", () => Task.FromResult(new ChatResponse(messages)));
        Report("UsageDetails", () => Task.FromResult(new UsageDetails { InputTokenCount = 1, OutputTokenCount = 2, TotalTokenCount = 3 }));
        Report("Task alone", () => Task.FromResult(message));
    }

    private static void Report<T>(string what, Func<Task<T>> hit)
    {
        for (int i = 0; i < 1_000; i++)
        {
            hit().GetAwaiter().GetResult();
        }
        const int N = 100_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < N; i++)
        {
            hit().GetAwaiter().GetResult();
        }
        long after = GC.GetAllocatedBytesForCurrentThread();
        Console.WriteLine($"{what}: {(after - before) / (double)N:F1} B per call");
    }
}
