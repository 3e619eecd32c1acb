using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>
/// LLMC003 for a result System.Text.Json cannot read back: each rule reported at the return type, and
/// the shapes the serializer does read left alone (a false error would block a build).
/// </summary>
public sealed class ResultContractTests
{
    private const string Header = """
        #nullable enable
        using System.Text.Json;
        using System.Text.Json.Serialization;

        """;

    [Fact]
    public Task NoUsableConstructor_IsReported() => Verify.Analyzer(Header + """
        class TwoWays
        {
            public TwoWays(int count) => Count = count;
            public TwoWays(string text) => Count = text.Length;
            public int Count { get; set; }
        }
        class Hidden
        {
            private Hidden() { }
            public int Count { get; set; }
        }
        class S
        {
            [LlmCached] internal {|LLMC003:Task<TwoWays>|} A(string p) => Task.FromResult(new TwoWays(1));
            [LlmCached] internal {|LLMC003:ValueTask<Hidden?>|} B(string p) => default;
        }
        """);

    [Fact]
    public Task ConstructorParameterMatchingNoMember_IsReported_WithItsName() => Verify.AnalyzerExpecting(Header + """
        sealed class Uncopyable(int seed)
        {
            public int Value { get; set; } = seed * 2;
        }
        class S
        {
            [LlmCached] internal {|#0:Task<Uncopyable>|} A(string p) => Task.FromResult(new Uncopyable(1));
        }
        """,
        new DiagnosticResult("LLMC003", DiagnosticSeverity.Error).WithLocation(0).WithArguments("S.A", "System.Threading.Tasks.Task<Uncopyable>",
            "System.Text.Json cannot read it back, because the constructor parameter 'seed' of 'Uncopyable' matches no property, so the constructor cannot be used. "
            + "Put [JsonConverter] on the type, or suppress LLMC003 if the application's SerializerOptions read it"));

    [Fact]
    public Task InterfaceOrAbstractResult_IsReported() => Verify.Analyzer(Header + """
        interface IAnswer { string Text { get; } }
        abstract class AnswerBase { public string Text { get; set; } = ""; }
        class S
        {
            [LlmCached] internal {|LLMC003:Task<IAnswer>|} A(string p) => throw null!;
            [LlmCached] internal {|LLMC003:ValueTask<AnswerBase>|} B(string p) => throw null!;
            [LlmCached] internal async {|LLMC003:IAsyncEnumerable<IAnswer>|} C(string p) { await Task.Yield(); yield break; }
        }
        """);

    [Fact]
    public Task TwoMembersWithOneJsonName_AreReported() => Verify.Analyzer(Header + """
        class Clashing
        {
            [JsonPropertyName("a")] public string First { get; set; } = "";
            [JsonPropertyName("a")] public string Second { get; set; } = "";
        }
        class Base { [JsonPropertyName("id")] public int Key { get; set; } }
        class Derived : Base { [JsonPropertyName("id")] public int Other { get; set; } }
        class S
        {
            [LlmCached] internal {|LLMC003:Task<Clashing>|} A(string p) => Task.FromResult(new Clashing());
            [LlmCached] internal {|LLMC003:Task<Derived>|} B(string p) => Task.FromResult(new Derived());
        }
        """);

    [Fact]
    public Task ObjectDelegatesAndReflection_AreReported() => Verify.Analyzer(Header + """
        class WithCallback { public Func<int> Callback { get; set; } = () => 1; }
        class S
        {
            [LlmCached] internal {|LLMC003:Task<object>|} A(string p) => Task.FromResult<object>(p);
            [LlmCached] internal {|LLMC003:Task<Func<string>>|} B(string p) => Task.FromResult<Func<string>>(() => p);
            [LlmCached] internal {|LLMC003:Task<WithCallback>|} C(string p) => Task.FromResult(new WithCallback());
            [LlmCached] internal {|LLMC003:Task<Type>|} D(string p) => Task.FromResult(typeof(string));
        }
        """);

    [Fact]
    public Task NestedTypeThatCannotBeRead_IsReported_WithItsPath() => Verify.AnalyzerExpecting(Header + """
        abstract class Part { }
        class Answer { public Section Body { get; set; } = new(); }
        class Section { public List<Part> Parts { get; set; } = []; }
        class Catalogue { public Dictionary<string, Part[]> Entries { get; init; } = []; }
        class S
        {
            [LlmCached] internal {|#0:Task<Answer>|} A(string p) => Task.FromResult(new Answer());
            [LlmCached] internal {|#1:Task<Catalogue>|} B(string p) => Task.FromResult(new Catalogue());
            [LlmCached] internal {|#2:Task<List<Part>>|} C(string p) => Task.FromResult(new List<Part>());
        }
        """,
        Unreadable(0, "S.A", "Answer", "'Part' is an abstract class without [JsonPolymorphic] or [JsonDerivedType], so it cannot be created (at Answer.Body.Parts[])"),
        Unreadable(1, "S.B", "Catalogue", "'Part' is an abstract class without [JsonPolymorphic] or [JsonDerivedType], so it cannot be created (at Catalogue.Entries[][])"),
        Unreadable(2, "S.C", "System.Collections.Generic.List<Part>", "'Part' is an abstract class without [JsonPolymorphic] or [JsonDerivedType], so it cannot be created (at List<Part>[])"));

    [Fact]
    public Task ReadableResults_AreNotReported() => Verify.Analyzer(Header + """
        record Positional(string Text, int Tokens);
        record Nominal { public string Text { get; init; } = ""; }
        class Plain { public string Text { get; set; } = ""; }
        class Matching(string text, int tokens)
        {
            public string Text { get; } = text;
            public int Tokens { get; } = tokens;
        }
        class Chosen
        {
            public Chosen(int a, int b) { }
            [JsonConstructor] public Chosen(int count) => Count = count;
            public Chosen(string text) { }
            public int Count { get; }
        }
        class ChosenPrivately
        {
            [JsonConstructor] private ChosenPrivately(int count) => Count = count;
            public int Count { get; }
        }
        class OnlyPublicOne
        {
            private OnlyPublicOne() { }
            public OnlyPublicOne(int count) => Count = count;
            public int Count { get; set; }
        }
        [JsonConverter(typeof(OpaqueConverter))]
        class Opaque(int seed) { public int Value => seed; }
        class OpaqueConverter : JsonConverter<Opaque>
        {
            public override Opaque Read(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options) => new(reader.GetInt32());
            public override void Write(Utf8JsonWriter writer, Opaque value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
        }
        class HoldsOpaque { [JsonConverter(typeof(OpaqueConverter))] public Hidden Value { get; set; } = null!; }
        class Hidden { private Hidden() { } }
        struct Point
        {
            public Point(int seed) => X = seed;
            public int X { get; set; }
        }
        class Computed { public int Value { get; } = 3; public Part Derived => null!; }
        abstract class Part { }
        class Optional { public Part? Extra { get; set; } public Func<int>? Callback { get; set; } }
        [JsonDerivedType(typeof(TextPart), "text")]
        abstract class Shape { }
        class TextPart : Shape { public string Text { get; set; } = ""; }
        class Ignored { [JsonIgnore] public Part Skipped { get; set; } = null!; }
        class Tree { public List<Tree> Children { get; set; } = []; public Tree? Parent { get; set; } }
        class Bag : List<Part> { }
        class S
        {
            [LlmCached] internal Task<Positional> A(string p) => throw null!;
            [LlmCached] internal Task<Nominal> B(string p) => throw null!;
            [LlmCached] internal Task<Plain> C(string p) => throw null!;
            [LlmCached] internal Task<Matching> D(string p) => throw null!;
            [LlmCached] internal Task<Chosen> E(string p) => throw null!;
            [LlmCached] internal Task<ChosenPrivately> F(string p) => throw null!;
            [LlmCached] internal Task<OnlyPublicOne> G(string p) => throw null!;
            [LlmCached] internal Task<Opaque> H(string p) => throw null!;
            [LlmCached] internal Task<HoldsOpaque> I(string p) => throw null!;
            [LlmCached] internal Task<Point> J(string p) => throw null!;
            [LlmCached] internal Task<Computed> K(string p) => throw null!;
            [LlmCached] internal Task<Optional> L(string p) => throw null!;
            [LlmCached] internal Task<Shape> M(string p) => throw null!;
            [LlmCached] internal Task<Ignored> N(string p) => throw null!;
            [LlmCached] internal Task<Tree> O(string p) => throw null!;
            [LlmCached] internal Task<Bag> P(string p) => throw null!;
            [LlmCached] internal Task<List<Part?>> Q(string p) => throw null!;
        }
        """);

    [Fact]
    public Task FrameworkAndChatTypes_AreNotReported() => Verify.Analyzer(Header + """
        class S
        {
            [LlmCached] internal Task<ChatResponse> A(string p) => throw null!;
            [LlmCached] internal Task<ChatMessage> B(string p) => throw null!;
            [LlmCached] internal Task<List<string>> C(string p) => throw null!;
            [LlmCached] internal Task<Dictionary<string, int>> D(string p) => throw null!;
            [LlmCached] internal Task<IReadOnlyList<AIContent>> E(string p) => throw null!;
            [LlmCached] internal Task<IEnumerable<string>> F(string p) => throw null!;
            [LlmCached] internal Task<string[]> G(string p) => throw null!;
            [LlmCached] internal Task<System.Collections.Immutable.ImmutableArray<int>> H(string p) => throw null!;
            [LlmCached] internal Task<DateTimeOffset?> I(string p) => throw null!;
            [LlmCached] internal Task<JsonElement> J(string p) => throw null!;
            [LlmCached] internal Task<System.Text.Json.Nodes.JsonNode> K(string p) => throw null!;
            [LlmCached] internal async IAsyncEnumerable<ChatResponseUpdate> L(string p) { await Task.Yield(); yield break; }
            [LlmCached] internal Task<T> M<T>(T p) => Task.FromResult(p);
        }
        """);

    [Fact]
    public Task PragmaSuppression_SilencesIt() => Verify.Analyzer(Header + """
        interface IAnswer { string Text { get; } }
        class S
        {
            // The application's SerializerOptions carry a converter for IAnswer.
        #pragma warning disable LLMC003
            [LlmCached] internal Task<IAnswer> A(string p) => throw null!;
        #pragma warning restore LLMC003
        }
        """);

    private static DiagnosticResult Unreadable(int location, string method, string result, string because) =>
        new DiagnosticResult("LLMC003", DiagnosticSeverity.Error).WithLocation(location)
            .WithArguments(method, "System.Threading.Tasks.Task<" + result + ">",
                "System.Text.Json cannot read it back, because " + because
                + ". Put [JsonConverter] on the type, or suppress LLMC003 if the application's SerializerOptions read it");
}
