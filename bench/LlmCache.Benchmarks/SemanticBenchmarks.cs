using BenchmarkDotNet.Attributes;
using LlmCache;

namespace LlmCache.Benchmarks;

/// <summary>
/// One semantic lookup in the embedded index, without the embedding call: the exact search of one
/// partition of <see cref="Entries"/> stored calls (384-dimension vectors, all-MiniLM-L6-v2's size) for
/// the best 8 candidates. Also prints the memory each entry holds.
/// </summary>
[MemoryDiagnoser]
public class SemanticBenchmarks
{
    private const int Dimensions = 384;
    private EmbeddedSemanticIndex _index = null!;
    private float[] _query = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var random = new Random(11);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        _index = new EmbeddedSemanticIndex(maxEntriesPerPartition: Entries);
        DateTimeOffset expires = DateTimeOffset.UtcNow.AddDays(1);
        string features = "n:|x:0|q:|e:|c:|w:how\u001fdo\u001fi\u001freset\u001fmy\u001fpassword";
        for (int i = 0; i < Entries; i++)
        {
            string key = "llmcache:v1:Demo.Support.AskAsync.0123456789abcdef:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
            await _index.AddAsync("partition", new SemanticIndexEntry(key, Vector(random), features, (ulong)i, expires), CancellationToken.None);
        }
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// semantic index: {Entries} entries, {(after - before) / (double)Entries:F0} bytes per entry held");
        _query = Vector(random);
    }

    private static float[] Vector(Random random)
    {
        float[] vector = new float[Dimensions];
        for (int d = 0; d < Dimensions; d++)
        {
            vector[d] = (float)(random.NextDouble() * 2 - 1);
        }
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    [Benchmark]
    public async Task<int> Search() => (await _index.SearchAsync("partition", _query, 8, CancellationToken.None)).Count;
}
