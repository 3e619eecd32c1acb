using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Keys;

public record Shape(string Name);

public sealed record Circle(string Name, double Radius) : Shape(Name);

public sealed record Square(string Name, double Side) : Shape(Name);

public sealed record Drawing(Shape Main, object? Note);

public sealed class WithFields
{
    public int Count;
    public string? Label;
}

public sealed class PrivateOnly(string secret)
{
    public override string ToString() => secret;
}

public sealed class Recursive
{
    public Recursive? Next { get; set; }
}

public sealed class CapturingTarget(string value) : ICacheKeyWritable
{
    public object? Make(IChatClient client) => value;

    public void WriteCacheKey(KeyWriter writer) => writer.WriteString(value);
}

/// <summary>Values of <see cref="object"/> type are keyed by LlmCache's own rules, never by a serializer's defaults.</summary>
public sealed class ObjectWalkerTests
{
    [Fact]
    public void DifferentValueTuples_HaveDifferentKeys()
    {
        Assert.NotEqual(Keys.OfObject((1, "a")), Keys.OfObject((2, "a")));
        Assert.NotEqual(Keys.OfObject((1, "a")), Keys.OfObject((1, "b")));
        Assert.NotEqual(Keys.OfObject((1, 2)), Keys.OfObject((1L, 2)));
        Assert.NotEqual(Keys.OfObject(Tuple.Create(1, 2)), Keys.OfObject((1, 2)));
        Assert.Equal(Keys.OfObject((1, "a")), Keys.OfObject((1, "a")));
        // Long tuples nest a rest tuple; every item still counts.
        Assert.NotEqual(Keys.OfObject((1, 2, 3, 4, 5, 6, 7, 8, 9)), Keys.OfObject((1, 2, 3, 4, 5, 6, 7, 8, 0)));
    }

    [Fact]
    public void AMemberDeclaredAsABase_IsKeyedByItsRuntimeType()
    {
        var circle = new Drawing(new Circle("c", 1), null);
        Assert.NotEqual(Keys.OfObject(circle), Keys.OfObject(new Drawing(new Circle("c", 2), null)));
        Assert.NotEqual(Keys.OfObject(circle), Keys.OfObject(new Drawing(new Square("c", 1), null)));
        Assert.NotEqual(Keys.OfObject(circle), Keys.OfObject(new Drawing(new Shape("c"), null)));
        Assert.Equal(Keys.OfObject(circle), Keys.OfObject(new Drawing(new Circle("c", 1), null)));
        // A value passed as its base type keys its derived members too (the generator calls WriteObject then).
        Assert.NotEqual(Keys.Of(w => w.WriteObject((Shape)new Circle("c", 1))), Keys.Of(w => w.WriteObject((Shape)new Circle("c", 2))));
    }

    [Fact]
    public void PublicFields_AreKeyed()
    {
        Assert.NotEqual(Keys.OfObject(new WithFields { Count = 1 }), Keys.OfObject(new WithFields { Count = 2 }));
        Assert.NotEqual(Keys.OfObject(new WithFields { Label = "a" }), Keys.OfObject(new WithFields { Label = "b" }));
    }

    [Fact]
    public void TypeIdentity_SeparatesEqualMembersOfDifferentTypes()
    {
        Assert.NotEqual(Keys.OfObject(new { Name = "x" }), Keys.OfObject(new Shape("x")));
        Assert.NotEqual(Keys.OfObject(new Circle("x", 0)), Keys.OfObject(new Square("x", 0)));
    }

    [Fact]
    public void FrameworkTypesWithoutAWriter_AreRefused_NeverKeyedByTheirPublicSurface()
    {
        // A StringBuilder's public properties are Capacity and Length: walking them would make these collide.
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(new StringBuilder("abc")));
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(new Drawing(new Shape("s"), new StringBuilder("abc"))));
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(new MemoryStream()));
    }

    [Fact]
    public void TypesWithPrivateState_AreRefused()
    {
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(new PrivateOnly("a")));
    }

    [Fact]
    public void Cycles_AreRefused()
    {
        var loop = new Recursive();
        loop.Next = loop;
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(loop));
    }

    [Fact]
    public void Json_IsKeyedByItsText()
    {
        string element = Keys.OfObject(JsonDocument.Parse("""{"a":1}""").RootElement);
        Assert.Equal(element, Keys.OfObject(JsonNode.Parse("""{"a":1}""")));
        Assert.Equal(element, Keys.OfObject(JsonDocument.Parse("""{"a":1}""")));
        Assert.NotEqual(element, Keys.OfObject(JsonNode.Parse("""{"a":2}""")));
        Assert.NotEqual(Keys.OfObject(new JsonArray(1, 2)), Keys.OfObject(new JsonArray(2, 1)));
        Assert.NotEqual(Keys.OfObject(JsonValue.Create("a")), Keys.OfObject(JsonValue.Create("b")));
    }

    [Fact]
    public void Collections_AreKeyedByContent_NotByTheirType()
    {
        object?[] items = ["a", 1, null];
        string array = Keys.OfObject(items);
        Assert.Equal(array, Keys.OfObject(new List<object?>(items)));
        Assert.Equal(array, Keys.OfObject(new ReadOnlyCollection<object?>(items)));
        Assert.NotEqual(array, Keys.OfObject(new object?[] { 1, "a", null }));
        Assert.Equal(Keys.OfObject(new HashSet<string> { "a", "b" }), Keys.OfObject(new HashSet<string> { "b", "a" }));
        Assert.Equal(
            Keys.OfObject(new Dictionary<string, object?> { ["a"] = 1, ["b"] = (1, 2) }),
            Keys.OfObject(new Dictionary<string, object?> { ["b"] = (1, 2), ["a"] = 1 }));
        Assert.NotEqual(
            Keys.OfObject(new Dictionary<string, object?> { ["a"] = (1, 2) }),
            Keys.OfObject(new Dictionary<string, object?> { ["a"] = (2, 1) }));
    }

    [Fact]
    public void Delegates_AreKeyedByTheirCode_OrRefused()
    {
        Func<IChatClient, object?> a = static _ => "a";
        Func<IChatClient, object?> b = static _ => "b";
        Assert.Equal(Keys.OfObject(a), Keys.OfObject(a));
        Assert.NotEqual(Keys.OfObject(a), Keys.OfObject(b));

        string captured = "x";
        Func<IChatClient, object?> closure = _ => captured;
        Assert.Throws<CacheKeyException>(() => Keys.OfObject(closure));

        // A target that writes its own key makes a capturing delegate keyable.
        Func<IChatClient, object?> first = new CapturingTarget("1").Make;
        Func<IChatClient, object?> second = new CapturingTarget("2").Make;
        Assert.NotEqual(Keys.OfObject(first), Keys.OfObject(second));
        Assert.Equal(Keys.OfObject(first), Keys.OfObject((Func<IChatClient, object?>)new CapturingTarget("1").Make));
    }

    [Fact]
    public void CustomKeyWriters_TakePriorityOverTheWalker()
    {
        Assert.Equal(Keys.OfObject(new CapturingTarget("1")), Keys.OfObject(new CapturingTarget("1")));
        Assert.NotEqual(Keys.OfObject(new CapturingTarget("1")), Keys.OfObject(new CapturingTarget("2")));
    }
}
