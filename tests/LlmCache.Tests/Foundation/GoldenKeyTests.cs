using LlmCache.Generated;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Foundation;

/// <summary>
/// Fixed inputs, fixed keys. If one of these changes, entries written by the previous version are
/// no longer found: bump the key schema on purpose, never by accident.
/// </summary>
public sealed class GoldenKeyTests
{
    private static string Key(Action<KeyWriter> write) => Keys.Keys.Of(write, "p:");

    [Fact]
    public void Encoding_IsTheDocumentedOne()
    {
        // tag 0x0F, length 5 (little endian), then the UTF-8 bytes; checked against an independent SHA-256.
        Assert.Equal("p:40314c74423268728e6128efad650d57d6672e6ba6a80f14388a98e0beed5c19", Key(w => w.WriteString("hello")));
        // Longer than the writer's buffer: the incremental path must hash the same bytes.
        Assert.Equal("p:36d837cb9b5b54ce9762356c92750d79c891a062e602614df014a4304edcc6c9", Key(w => w.WriteString(new string('x', 20000))));
        // tag 0x07, then 42 as a little-endian int32.
        Assert.Equal("p:ed52588fc42bab7b1a1a1d42a0ec70b4eb9c304bfc5f02d1444147e7dff3fb10", Key(w => w.WriteInt32(42)));
    }

    [Fact]
    public void UnpairedSurrogates_NeverCollideWithTheirReplacement()
    {
        Assert.NotEqual(Key(w => w.WriteString("a\uD800b")), Key(w => w.WriteString("a\uFFFDb")));
        Assert.NotEqual(Key(w => w.WriteString("\uDC00")), Key(w => w.WriteString("\uD800")));
        // A proper pair is ordinary UTF-8.
        Assert.Equal(Key(w => w.WriteString("\U0001F600")), Key(w => w.WriteString("😀")));
    }

    [Fact]
    public void TextAcrossTheBufferBoundary_HashesLikeOneRun()
    {
        string head = new('h', 16 * 1024 - 7);
        string tail = "ünïcødé and 😀 across the edge";
        string parts = Key(w => { w.WriteString(head); w.WriteString(tail); });
        string again = Key(w => { w.WriteString(head); w.WriteString(tail); });
        Assert.Equal(parts, again);
        Assert.NotEqual(parts, Key(w => { w.WriteString(head + "x"); w.WriteString(tail); }));
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
        Assert.Equal(Golden.HostedTool, Key(w => w.WriteAITool(new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent("vs_1")], MaximumResultCount = 3 })));
        Assert.Equal(Golden.Walked, Key(w => w.WriteObject(new LlmCache.Tests.Keys.Drawing(new LlmCache.Tests.Keys.Circle("c", 1), (1, "a")))));
    }

    [Fact]
    public void GeneratedKeys_AreStable()
    {
        using var runtime = new LlmCacheRuntime();
        Assert.Equal(Golden.TwoStrings, LlmCacheKeys.ShapeService_TwoStrings("ab", "c").Key(runtime));
        Assert.Equal(Golden.Records, LlmCacheKeys.ShapeService_Records(new Ticket("s", 1, ["l"], null)).Key(runtime));
    }

    [Fact]
    public void DistinctValues_HaveDistinctGoldenKeys()
    {
        string[] all = [Golden.String, Golden.Int, Golden.List, Golden.Map, Golden.Message, Golden.Options, Golden.HostedTool, Golden.Walked, Golden.TwoStrings, Golden.Records];
        Assert.Equal(all.Length, all.Distinct().Count());
    }

    private static class Golden
    {
        public const string String = "p:40314c74423268728e6128efad650d57d6672e6ba6a80f14388a98e0beed5c19";
        public const string Int = "p:ed52588fc42bab7b1a1a1d42a0ec70b4eb9c304bfc5f02d1444147e7dff3fb10";
        public const string List = "p:56939274d03151e48bace33ea6cdb63639488653cdd30db3cff7e0714a04f3e1";
        public const string Map = "p:99ae0d7d1c4f936c45621a29db8fbee814b48c63abf15db7ef326fda27f00acd";
        // Changed with the MEAI coverage work: a message now ends with its additional properties, a
        // content with its annotations and additional properties (null when absent or empty).
        public const string Message = "p:0ff34277f5bf7f3b8e9a16405c7de95d7aced7a819d618df35a3a5c5cfb7e8ec";
        // Changed with the MEAI coverage work: a tool is an object (depth-guarded) led by a kind byte,
        // with its declaration members in a fixed order; options end with background responses, the
        // continuation token and the raw-options factory; empty additional properties are written as absent.
        public const string Options = "p:2a8076d10b3c5de0edebaee8267aa4160e4b1b7308520b713c94d2e1b1a81cc5";
        // New: a hosted tool written by the object walker (type, then members by ordinal name).
        public const string HostedTool = "p:3c36246bba62eeb6b306a0e8cf6aff910853d09f3352bee692367ea4dbff0983";
        // New: a record written by the object walker, a base-typed member holding a derived record, a tuple.
        public const string Walked = "p:c76a9638ecc385165db5bc42c90bf239fe9c71f4682329530861b13f36748d06";
        public const string TwoStrings = "llmcache:v1:LlmCache.Tests.Foundation.ShapeService.TwoStrings.5de9cff4676645c9:2298acf32cefea80b3ccdbc2797ce6df1967b7255f7f3b544186b973b77b243e";
        public const string Records = "llmcache:v1:LlmCache.Tests.Foundation.ShapeService.Records.b5627c6e3a5bbf80:553f26b94eb2d446b6eeed6b867e311eefecac1cc79d47bf35b918093be519d2";
    }
}
