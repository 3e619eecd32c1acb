internal static class KeyProbe
{
    public static int Run()
    {
        var runtime = new LlmCache.LlmCacheRuntime();
        var m = LlmCache.Benchmarks.ChatWorkload.Messages();
        var o = LlmCache.Benchmarks.ChatWorkload.Options();
        string k = LlmCache.Generated.LlmCacheKeys.CachedAgent_AskAsync.Key(runtime, m, o);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) { k = LlmCache.Generated.LlmCacheKeys.CachedAgent_AskAsync.Key(runtime, m, o); }
        long after = GC.GetAllocatedBytesForCurrentThread();
        Console.Error.WriteLine($"key: {(after - before) / 1000.0} B per call (key string {k.Length} chars)");
        var w = LlmCache.KeyWriter.Rent("x");
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) { w.WriteChatOptions(o); }
        Console.Error.WriteLine($"options: {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0} B per call");
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) { w.WriteChatMessage(m[0]); }
        Console.Error.WriteLine($"message: {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0} B per call");
        Measure("WriteString short", () => w.WriteString("abc"));
        Measure("WriteString 1 KB", () => w.WriteString(LlmCache.Benchmarks.ChatWorkload.SystemPrompt));
        Measure("WriteNull", () => w.WriteNull());
        Measure("WriteAIContent", () => w.WriteAIContent(m[0].Contents[0]));
        Measure("WriteInt64", () => w.WriteInt64(5));
        string text = LlmCache.Benchmarks.ChatWorkload.SystemPrompt;
        byte[] buffer = new byte[8192];
        int sink = 0;
        Measure("IndexOfAnyInRange char", () => sink += text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'));
        Measure("Utf8.FromUtf16", () => System.Text.Unicode.Utf8.FromUtf16(text, buffer, out int r, out int wr, replaceInvalidSequences: false, isFinalBlock: true));
        var surrogates = System.Buffers.SearchValues.Create(string.Create(0x800, 0, static (span, _) => { for (int i = 0; i < span.Length; i++) { span[i] = (char)(0xD800 + i); } }));
        Measure("IndexOfAny SearchValues", () => sink += text.AsSpan().IndexOfAny(surrogates));
        Measure("IndexOfAnyInRange ushort", () => sink += System.Runtime.InteropServices.MemoryMarshal.Cast<char, ushort>(text.AsSpan()).IndexOfAnyInRange((ushort)0xD800, (ushort)0xDFFF));
        Measure("ContainsAnyInRange char", () => sink += text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') ? 1 : 0);
        Time("IndexOfAnyInRange char", () => sink += text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'));
        Time("IndexOfAny SearchValues", () => sink += text.AsSpan().IndexOfAny(surrogates));
        Time("IndexOfAnyInRange ushort", () => sink += System.Runtime.InteropServices.MemoryMarshal.Cast<char, ushort>(text.AsSpan()).IndexOfAnyInRange((ushort)0xD800, (ushort)0xDFFF));
        return sink & 0;
    }

    private static void Measure(string name, Action a)
    {
        a();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) { a(); }
        Console.Error.WriteLine($"{name}: {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0} B per call");
    }

    private static void Time(string name, Action a)
    {
        for (int i = 0; i < 200_000; i++) { a(); }
        long t = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < 1_000_000; i++) { a(); }
        Console.Error.WriteLine($"{name}: {System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds:F1} ns per call");
    }
}
