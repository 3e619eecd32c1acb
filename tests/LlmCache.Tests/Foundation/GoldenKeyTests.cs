using LlmCache.Generated;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Foundation;

/// <summary>
/// Fixed inputs, fixed keys. If one of these changes, entries written by the previous version are
/// no longer found: bump the key schema on purpose, never by accident.
/// </summary>
public sealed class GoldenKeyTests
{
    private static string Key(Action<KeyWriter> write)
    {
        KeyWriter writer = KeyWriter.Rent("p:");
        try
        {
            write(writer);
            return writer.Complete();
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Fact]
    public void Encoding_IsTheDocumentedOne()
    {
        // tag 0x0F, length 5 (little endian), then UTF-16LE code units; checked against an independent SHA-256.
        Assert.Equal("p:7b112b1ac60a2d88a5e3c8254298e8e8ecdf79706e9a28f072a2649041ea6f57", Key(w => w.WriteString("hello")));
        // tag 0x07, then 42 as a little-endian int32.
        Assert.Equal("p:ed52588fc42bab7b1a1a1d42a0ec70b4eb9c304bfc5f02d1444147e7dff3fb10", Key(w => w.WriteInt32(42)));
    }

    [Fact]
    public void CanonicalEncoding_IsStable()
    {
        Assert.Equal(Golden.String, Key(w => w.WriteString("hello")));
        Assert.Equal(Golden.Int, Key(w => w.WriteInt32(42)));
        Assert.Equal(Golden.List, Key(w => { w.BeginSequence(2); w.WriteString("a"); w.WriteString("b"); w.EndSequence(); }));
        Assert.Equal(Golden.Map, Key(w => w.WriteMap(new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 }, static (k, x) => k.WriteString(x), static (v, x) => v.WriteInt32(x))));
        Assert.Equal(Golden.Message, Key(w => w.WriteChatMessage(new ChatMessage(ChatRole.User, "What is 2+2?"))));
        Assert.Equal(Golden.Options, Key(w => w.WriteChatOptions(new ChatOptions
        {
            ModelId = "gpt-x",
            Temperature = 0.5f,
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "Weather for a city")],
        })));
    }

    [Fact]
    public void GeneratedKeys_AreStable()
    {
        using var runtime = new LlmCacheRuntime();
        Assert.Equal(Golden.TwoStrings, LlmCacheKeys.ShapeService_TwoStrings.Key(runtime, "ab", "c"));
        Assert.Equal(Golden.Records, LlmCacheKeys.ShapeService_Records.Key(runtime, new Ticket("s", 1, ["l"], null)));
    }

    [Fact]
    public void DistinctValues_HaveDistinctGoldenKeys()
    {
        string[] all = [Golden.String, Golden.Int, Golden.List, Golden.Map, Golden.Message, Golden.Options, Golden.TwoStrings, Golden.Records];
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    private static class Golden
    {
        public const string String = "p:7b112b1ac60a2d88a5e3c8254298e8e8ecdf79706e9a28f072a2649041ea6f57";
        public const string Int = "p:ed52588fc42bab7b1a1a1d42a0ec70b4eb9c304bfc5f02d1444147e7dff3fb10";
        public const string List = "p:d79d834f0392a677405417fd12551d1265ffde5178015c060a5f60306b637d59";
        public const string Map = "p:c767e2a47b7135aa01cbb37bf91a2a0a7a769cd2574ed26b22771e2bdcd5acc9";
        public const string Message = "p:3eb59834c193de10feceb0f1182aca92238045ce7b1249c1e44585e39f1f60d1";
        public const string Options = "p:ea245833781435eb0a19da986a23c22701c647801545fccb85e7195934832e93";
        public const string TwoStrings = "llmcache:v1:LlmCache.Tests.Foundation.ShapeService.TwoStrings.5de9cff4676645c9:fb4c5691002cc0a9e243f8cb878e15c219f7e9693d91b955bc23fb51cf8a4737";
        public const string Records = "llmcache:v1:LlmCache.Tests.Foundation.ShapeService.Records.b5627c6e3a5bbf80:01c0b34cdcfffa769c07ff8300db38c2b91e4b30c019b75c4d837aff25fd3ba2";
    }
}
