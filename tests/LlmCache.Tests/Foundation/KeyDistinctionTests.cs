using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Foundation;

/// <summary>Inputs that must share a key share it; inputs that must not, never do.</summary>
public sealed class KeyDistinctionTests : IDisposable
{
    private readonly LlmCacheRuntime _runtime = new();
    private readonly ShapeService _s;

    public KeyDistinctionTests() => _s = new ShapeService(_runtime);

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public async Task ShiftedStringBoundaries_AreDifferentKeys()
    {
        Assert.Equal("ab|c", await _s.TwoStrings("ab", "c"));
        Assert.Equal("a|bc", await _s.TwoStrings("a", "bc"));
        Assert.Equal(2, _s.Calls);
        await _s.TwoStrings("ab", "c");
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task NullAndEmpty_AreDifferentKeys()
    {
        Assert.Equal("(null)", await _s.NullableString(null));
        Assert.Equal("", await _s.NullableString(""));
        Assert.Equal(2, _s.Calls);
        Assert.Equal("(null)", await _s.NullableString(null));
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task IntAndLong_ThroughAGenericMethod_AreDifferentKeys()
    {
        Assert.Equal("Int32:1", await _s.Echo(1));
        Assert.Equal("Int64:1", await _s.Echo(1L));
        Assert.Equal("String:1", await _s.Echo("1"));
        Assert.Equal(3, _s.Calls);
        Assert.Equal("Int64:1", await _s.Echo(1L));
        Assert.Equal(3, _s.Calls);
    }

    [Fact]
    public async Task ObjectValues_AreKeyedByTheirMembers_AndUnkeyableOnesRunUncached()
    {
        // Serialized with library defaults, two value tuples used to share the key "{}".
        Assert.Equal("ValueTuple`2:(1, 2)", await _s.Echo((1, 2)));
        Assert.Equal("ValueTuple`2:(3, 4)", await _s.Echo((3, 4)));
        Assert.Equal(2, _s.Calls);
        await _s.Echo((1, 2));
        Assert.Equal(2, _s.Calls);

        // A framework type without a canonical encoding is never keyed by its public surface.
        Assert.Equal("StringBuilder:a", await _s.Echo(new System.Text.StringBuilder("a")));
        Assert.Equal("StringBuilder:b", await _s.Echo(new System.Text.StringBuilder("b")));
        Assert.Equal(4, _s.Calls);
        Assert.Equal(2, _runtime.Statistics.KeyFailures);
    }

    [Fact]
    public async Task EveryPrimitive_TakesPartInTheKey()
    {
        await _s.Numbers(1, 2, 3.0, 4m, true, 'c', Mood.Calm, null);
        await _s.Numbers(1, 2, 3.0, 4m, true, 'c', Mood.Calm, null);
        Assert.Equal(1, _s.Calls);
        await _s.Numbers(1, 2, 3.0, 4m, true, 'c', Mood.Calm, 0);
        await _s.Numbers(1, 2, 3.0, 4m, true, 'c', Mood.Angry, null);
        await _s.Numbers(1, 2, 3.0, 4m, true, 'd', Mood.Calm, null);
        await _s.Numbers(1, 2, 3.0, 4m, false, 'c', Mood.Calm, null);
        await _s.Numbers(1, 2, 3.0, 4.0m, true, 'c', Mood.Calm, null);
        await _s.Numbers(1, 2, 3.5, 4m, true, 'c', Mood.Calm, null);
        await _s.Numbers(1, 3, 3.0, 4m, true, 'c', Mood.Calm, null);
        await _s.Numbers(2, 2, 3.0, 4m, true, 'c', Mood.Calm, null);
        Assert.Equal(9, _s.Calls);
    }

    [Fact]
    public async Task FloatingPoint_IsKeyedByItsExactBits()
    {
        await _s.Floats(0.0);
        await _s.Floats(-0.0);
        await _s.Floats(0.1 + 0.2);
        await _s.Floats(0.3);
        Assert.Equal(4, _s.Calls);
        await _s.Floats(0.1 + 0.2);
        Assert.Equal(4, _s.Calls);
    }

    [Fact]
    public async Task Sequences_AreKeyedByContentAndOrder()
    {
        await _s.Collections([1, 2], ["a", "b"], [5]);
        await _s.Collections([1, 2], new List<string> { "a", "b" }, new[] { 5 }.Select(x => x));
        Assert.Equal(1, _s.Calls);
        await _s.Collections([2, 1], ["a", "b"], [5]);
        await _s.Collections([1, 2], ["b", "a"], [5]);
        await _s.Collections([1, 2], ["a", "b"], [5, 5]);
        await _s.Collections([1, 2], ["a", "b", ""], [5]);
        Assert.Equal(5, _s.Calls);
    }

    [Fact]
    public async Task DictionariesAndSets_IgnoreInsertionOrder_ButNotContent()
    {
        var forward = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 };
        var backward = new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 };
        await _s.Maps(forward, ["x", "y"]);
        await _s.Maps(backward, ["y", "x"]);
        Assert.Equal(1, _s.Calls);
        await _s.Maps(new Dictionary<string, int> { ["a"] = 1, ["b"] = 3 }, ["x", "y"]);
        await _s.Maps(forward, ["x"]);
        Assert.Equal(3, _s.Calls);
    }

    [Fact]
    public async Task Records_AreKeyedByTheirPropertiesRecursively()
    {
        var parent = new Ticket("parent", 1, [], null);
        await _s.Records(new Ticket("s", 1, ["l"], parent));
        await _s.Records(new Ticket("s", 1, ["l"], new Ticket("parent", 1, [], null)));
        Assert.Equal(1, _s.Calls);
        await _s.Records(new Ticket("s", 1, ["l"], new Ticket("parent", 2, [], null)));
        await _s.Records(new Ticket("s", 1, ["m"], parent));
        await _s.Records(new Ticket("s", 1, ["l"], null));
        Assert.Equal(4, _s.Calls);
    }

    [Fact]
    public async Task ACycle_NeverFailsTheCaller_TheCallJustRunsUncached()
    {
        var node = new Node { Name = "loop" };
        node.Next = node;
        Assert.Equal("loop", await _s.Linked(node));
        Assert.Equal("loop", await _s.Linked(node));
        Assert.Equal(2, _s.Calls);
        Assert.Equal(2, _runtime.Statistics.KeyFailures);

        var chain = new Node { Name = "a", Next = new Node { Name = "b" } };
        await _s.Linked(chain);
        await _s.Linked(new Node { Name = "a", Next = new Node { Name = "b" } });
        Assert.Equal(3, _s.Calls);
    }

    [Fact]
    public async Task CustomKeyWriters_DecideWhatEntersTheKey()
    {
        await _s.Custom(new Fingerprinted("abc") { Noise = "1" });
        await _s.Custom(new Fingerprinted("xyz") { Noise = "2" });
        Assert.Equal(1, _s.Calls);
        await _s.Custom(new Fingerprinted("abcd"));
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task IgnoredParametersAndTokens_NeverEnterTheKey()
    {
        await _s.Ignoring("p", "alice", null);
        await _s.Ignoring("p", "bob", s => { });
        Assert.Equal(1, _s.Calls);
        using var cts = new CancellationTokenSource();
        await _s.WithToken("t", CancellationToken.None);
        await _s.WithToken("t", cts.Token);
        Assert.Equal(2, _s.Calls);
    }

    [Fact]
    public async Task ChatInputs_EveryFieldThatChangesTheAnswer_ChangesTheKey()
    {
        static List<ChatMessage> Messages(ChatRole role) => [new(ChatRole.System, "be brief"), new(role, "hello")];
        AIFunction weather = AIFunctionFactory.Create((string city) => "sunny", "get_weather");
        AIFunction time = AIFunctionFactory.Create((string city) => "noon", "get_time");

        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [weather] });
        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")] });
        Assert.Equal(1, _s.Calls);

        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.3f, Tools = [weather] });
        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [time] });
        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [weather, time] });
        await _s.Chat(Messages(ChatRole.Assistant), new ChatOptions { Temperature = 0.2f, Tools = [weather] });
        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [weather], ModelId = "other" });
        await _s.Chat(Messages(ChatRole.User), new ChatOptions { Temperature = 0.2f, Tools = [weather], ToolMode = ChatToolMode.RequireAny });
        await _s.Chat(Messages(ChatRole.User), null);
        Assert.Equal(8, _s.Calls);
    }

    [Fact]
    public async Task ContentKinds_AreDistinct()
    {
        await _s.Content(new TextContent("x"));
        await _s.Content(new TextReasoningContent("x"));
        await _s.Content(new DataContent(new byte[] { 1, 2 }, "image/png"));
        await _s.Content(new UriContent(new Uri("https://example.com/a.png"), "image/png"));
        await _s.Content(new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["a"] = 1 }));
        await _s.Content(new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["a"] = 2 }));
        Assert.Equal(6, _s.Calls);
        await _s.Content(new TextContent("x"));
        Assert.Equal(6, _s.Calls);
    }
}
