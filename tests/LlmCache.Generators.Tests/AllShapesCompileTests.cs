using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>The generated code compiles without a single warning for every supported method and parameter shape.</summary>
public sealed class AllShapesCompileTests
{
    internal const string AllShapes = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Threading;
        using System.Threading.Tasks;
        using LlmCache;
        using Microsoft.Extensions.AI;

        namespace Shapes;

        public enum Tone { Formal, Casual }
        public record struct Point(int X, int Y);
        public sealed record Node(string Name, Node? Next);
        public class Plain { public string? Title { get; set; } public double Score; public Tone Tone { get; init; } }
        public sealed class Custom : ICacheKeyWritable
        {
            public string Secret = "";
            public void WriteCacheKey(KeyWriter writer) => writer.WriteString(Secret);
        }

        public partial class Service
        {
            [LlmCached(Ttl = "30s")]
            public Task<string> PrimitivesAsync(bool b, byte by, sbyte sb, short s, ushort us, int i, uint ui, long l, ulong ul,
                float f, double d, decimal m, char c, string? str, nint ni, nuint nu, Half h, Int128 big, UInt128 ubig) => Task.FromResult("");

            [LlmCached(Ttl = "2h")]
            public Task<string> ValuesAsync(Guid g, DateTime dt, DateTimeOffset dto, TimeSpan ts, DateOnly d, TimeOnly t, Uri? uri, Version? v,
                Tone tone, Tone? maybeTone, int? maybe, byte[]? bytes, ReadOnlyMemory<byte> memory, ReadOnlyMemory<char> chars,
                System.Text.Json.JsonElement json) => Task.FromResult("");

            [LlmCached(Ttl = "7d")]
            public ValueTask<int> CollectionsAsync(int[] array, List<string?> list, IList<Point> ilist, IReadOnlyList<Node> rolist,
                IEnumerable<string> seq, ImmutableArray<int> immutable, Dictionary<string, int> map, IReadOnlyDictionary<int, List<string>> romap,
                HashSet<string> set, ISet<Tone> iset, (int A, string B) tuple, KeyValuePair<string, int> pair, int[][] jagged) => new(0);

            [LlmCached]
            public Task<Plain> ObjectsAsync(Point point, Point? maybePoint, Node node, Plain? plain, Custom custom) => Task.FromResult(new Plain());

            [LlmCached(IgnoreParams = ["user", "log"])]
            public Task<ChatResponse> ChatAsync(string model, IList<ChatMessage> messages, ChatOptions? options, IEnumerable<AIContent> extra,
                AIContent single, TextContent text, AITool tool, string user, Action<string> log, CancellationToken ct) =>
                Task.FromResult(new ChatResponse());

            [LlmCached]
            public async IAsyncEnumerable<string> StreamAsync(string prompt, params string[] stops)
            {
                await Task.Yield();
                yield return prompt;
            }

            [LlmCached]
            public Task<T> GenericAsync<T, U>(T value, List<U> items) where T : notnull where U : struct => Task.FromResult(value);

            public sealed class Inner
            {
                [LlmCached(Namespace = "inner-v2", Tags = ["a", "b"])]
                internal Task<int> NestedAsync(int x) => Task.FromResult(x);
            }
        }

        public partial class Service
        {
            private readonly LlmCacheRuntime? _runtime = null;
            public LlmCacheRuntime? Runtime => _runtime;
        }

        public static class Extensions
        {
            [LlmCached]
            public static Task<int> CountAsync(this string text, int min = 0) => Task.FromResult(text.Length);
        }

        public static class Calls
        {
            public static async Task RunAsync(Service s, Service? maybe)
            {
                await s.PrimitivesAsync(true, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'c', null, 1, 1, (Half)1, 1, 1);
                await s.ValuesAsync(Guid.Empty, DateTime.MinValue, DateTimeOffset.MinValue, TimeSpan.Zero, default, default, null, null,
                    Tone.Casual, null, null, null, default, default, default);
                await s.CollectionsAsync([], [], [], [], [], [], new(), new Dictionary<int, List<string>>(), [], new HashSet<Tone>(), (1, "b"),
                    new("k", 1), []);
                await s.ObjectsAsync(new(1, 2), null, new("n", null), null, new Custom());
                await s.ChatAsync("m", [], null, [], new TextContent("x"), new TextContent("y"), AIFunctionFactory.Create(() => 1, "f"), "u", _ => { }, default);
                await foreach (string x in s.StreamAsync("p", "a", "b")) { }
                await s.GenericAsync("x", new List<int>());
                await new Service.Inner().NestedAsync(1);
                await "abc".CountAsync();
                await "abc".CountAsync(min: 2);
                Func<Task<int>> lambda = () => s.GenericAsync(1, new List<long>());
                await lambda();
                await Local();
                async Task<string?> Local() => await (maybe?.PrimitivesAsync(true, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'c', "", 1, 1, (Half)1, 1, 1) ?? Task.FromResult(""));
            }
        }
        """;

    [Fact]
    public void EveryShape_CompilesWithoutWarnings()
    {
        var (output, generatorDiagnostics, result) = GeneratorHarness.Run(AllShapes);
        Assert.Empty(generatorDiagnostics);
        Diagnostic[] problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(p => p.ToString())));
        // One file for all cached methods, intercepting every call site.
        Assert.Single(result.GeneratedTrees);
        string generated = GeneratorHarness.Generated(result);
        Assert.Equal(12, CountOf(generated, "[LlmcAt("));
    }

    [Fact]
    public void EveryShape_EmitsRunnableIl()
    {
        var (output, _, _) = GeneratorHarness.Run(AllShapes);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
