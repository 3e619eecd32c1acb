using LlmCache;
using LlmCache.Benchmarks;
using Microsoft.Extensions.AI;

/// <summary>
/// <c>ColdStart probe</c>: bytes allocated per key-writer call, in whatever code this
/// process runs (run it with <c>DOTNET_TieredCompilation=0</c> on a ReadyToRun publish to see the
/// precompiled code's allocations, which jitted code can hide by optimising boxes away).
/// </summary>
internal static class KeyProbe
{
    public static int Run()
    {
        List<ChatMessage> messages = ChatWorkload.Messages();
        ChatOptions options = ChatWorkload.Options();
        // What the generated writer of the chat method writes: the messages, then the options.
        using KeyWriter writer = KeyWriter.Rent("probe");
        Measure("the 2 KB chat request (messages and options)", () =>
        {
            for (int i = 0; i < messages.Count; i++)
            {
                writer.WriteChatMessage(messages[i]);
            }
            writer.WriteChatOptions(options);
        });
        Measure("WriteChatOptions", () => writer.WriteChatOptions(options));
        Measure("WriteChatMessage (1 KB system prompt)", () => writer.WriteChatMessage(messages[0]));
        Measure("WriteString", () => writer.WriteString("abc"));
        Measure("WriteInt64", () => writer.WriteInt64(5));
        return 0;
    }

    private static void Measure(string name, Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            action();
        }
        Console.WriteLine($"{name}: {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0:F0} B per call");
    }
}
