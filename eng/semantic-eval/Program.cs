// Reproduces the numbers of issue 11's evaluation: embeds every pair of the evaluation set with
// all-MiniLM-L6-v2 and prints the cosine similarity per kind and the curve of a plain threshold.
// Run from the repository root: dotnet run -c Release --project eng/semantic-eval [set.json] [--threads N]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmCache.Testing;
using Microsoft.Extensions.AI;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var path = args.FirstOrDefault(a => a.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
    ?? Path.Combine(AppContext.BaseDirectory, "EvaluationSet.json");
int? threads = null;
var t = Array.IndexOf(args, "--threads");
if (t >= 0 && t + 1 < args.Length) threads = int.Parse(args[t + 1]);

var set = JsonSerializer.Deserialize<EvaluationSet>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
    ?? throw new InvalidDataException("empty set");
string[] nearMissKinds = ["negation", "number", "date", "name", "product", "unit", "intent", "quoted"];
foreach (var p in set.Pairs)
{
    if (string.IsNullOrWhiteSpace(p.Stored) || string.IsNullOrWhiteSpace(p.Query)) throw new InvalidDataException($"blank text: {p}");
    var ok = p.Label switch
    {
        "paraphrase" => p.Kind == "paraphrase",
        "near-miss" => nearMissKinds.Contains(p.Kind),
        _ => false,
    };
    if (!ok) throw new InvalidDataException($"bad label/kind: {p}");
    if (p.Stored == p.Query) throw new InvalidDataException($"identical texts: {p}");
}
var dupes = set.Pairs.GroupBy(p => (p.Stored, p.Query)).Where(g => g.Count() > 1).ToList();
if (dupes.Count > 0) throw new InvalidDataException($"duplicate pair: {dupes[0].Key}");

var paraphrases = set.Pairs.Count(p => p.Label == "paraphrase");
Console.WriteLine($"set: {path}");
Console.WriteLine($"pairs: {set.Pairs.Count} ({paraphrases} paraphrases = {100.0 * paraphrases / set.Pairs.Count:F0}%, {set.Pairs.Count - paraphrases} near misses)");

using var generator = new MiniLmEmbeddingGenerator(threads);
Console.WriteLine($"model: {generator.Metadata.DefaultModelId}, {generator.Metadata.DefaultModelDimensions} dimensions, intra-op threads: {threads?.ToString() ?? "default"}, cores: {Environment.ProcessorCount}");

// Warm-up, then one call per text, as a cache embeds one question per request.
var texts = set.Pairs.SelectMany(p => new[] { p.Stored, p.Query }).Distinct().ToArray();
await generator.GenerateAsync(["warm-up sentence for the model", "another one"]);
var vectors = new Dictionary<string, ReadOnlyMemory<float>>();
var perCall = new List<double>();
var total = Stopwatch.StartNew();
foreach (var text in texts)
{
    var sw = Stopwatch.StartNew();
    var e = await generator.GenerateAsync([text]);
    perCall.Add(sw.Elapsed.TotalMilliseconds);
    vectors[text] = e[0].Vector;
}
total.Stop();
perCall.Sort();
Console.WriteLine($"embedding, one text per call: {texts.Length} texts in {total.Elapsed.TotalMilliseconds:F0} ms; per text mean {perCall.Average():F2} ms, median {perCall[perCall.Count / 2]:F2} ms, p95 {perCall[(int)(perCall.Count * 0.95)]:F2} ms");
var batch = Stopwatch.StartNew();
await generator.GenerateAsync(texts.Take(64));
batch.Stop();
Console.WriteLine($"embedding, 64 texts in one call: {batch.Elapsed.TotalMilliseconds:F0} ms ({batch.Elapsed.TotalMilliseconds / 64:F2} ms per text)");
Console.WriteLine($"generator counted {generator.Calls} calls, {generator.Inputs} inputs");
var norm = vectors.Values.Select(v => Math.Sqrt(Dot(v.Span, v.Span))).ToArray();
Console.WriteLine($"vector norms: {norm.Min():F5}..{norm.Max():F5}");

var scored = set.Pairs.Select(p => (Pair: p, Sim: Dot(vectors[p.Stored].Span, vectors[p.Query].Span))).ToList();

Console.WriteLine();
Console.WriteLine("cosine similarity per kind");
Console.WriteLine($"{"kind",-11} {"n",4} {"min",6} {"p25",6} {"median",6} {"p75",6} {"max",6}");
foreach (var kind in new[] { "paraphrase" }.Concat(nearMissKinds).Append("(all near)"))
{
    var s = scored.Where(x => kind == "(all near)" ? x.Pair.Label == "near-miss" : x.Pair.Kind == kind).Select(x => x.Sim).OrderBy(x => x).ToArray();
    if (s.Length == 0) continue;
    Console.WriteLine($"{kind,-11} {s.Length,4} {s[0],6:F3} {Q(s, 0.25),6:F3} {Q(s, 0.5),6:F3} {Q(s, 0.75),6:F3} {s[^1],6:F3}");
}

Console.WriteLine();
Console.WriteLine("plain threshold (hit when similarity >= threshold)");
Console.Write($"{"thresh",6} {"para hit",9} {"near false",10} ");
foreach (var k in nearMissKinds) Console.Write($"{k[..Math.Min(4, k.Length)],5}");
Console.WriteLine();
var nearCount = scored.Count(x => x.Pair.Label == "near-miss");
for (var i = 80; i <= 98; i++)
{
    var th = i / 100.0;
    var hit = scored.Count(x => x.Pair.Label == "paraphrase" && x.Sim >= th);
    var fh = scored.Count(x => x.Pair.Label == "near-miss" && x.Sim >= th);
    Console.Write($"{th,6:F2} {100.0 * hit / paraphrases,8:F1}% {100.0 * fh / nearCount,9:F1}% ");
    foreach (var k in nearMissKinds) Console.Write($"{scored.Count(x => x.Pair.Kind == k && x.Sim >= th),5}");
    Console.WriteLine();
}
Console.WriteLine("(last columns: false hits per near-miss kind)");

Console.WriteLine();
Console.WriteLine("highest-scoring near misses");
foreach (var x in scored.Where(x => x.Pair.Label == "near-miss").OrderByDescending(x => x.Sim).Take(20))
    Console.WriteLine($"  {x.Sim:F3} {x.Pair.Kind,-8} \"{x.Pair.Stored}\" | \"{x.Pair.Query}\"");
Console.WriteLine("lowest-scoring paraphrases");
foreach (var x in scored.Where(x => x.Pair.Label == "paraphrase").OrderBy(x => x.Sim).Take(12))
    Console.WriteLine($"  {x.Sim:F3} \"{x.Pair.Stored}\" | \"{x.Pair.Query}\"");

// Sketch guards (SketchGuards.cs): what each would reject, then the curve with all of them on.
Console.WriteLine();
Console.WriteLine("sketch guards, each alone, at any similarity: near misses rejected per kind / paraphrases wrongly rejected");
Console.Write($"{"guard",-9}");
foreach (var k in nearMissKinds) Console.Write($"{k[..Math.Min(4, k.Length)],5}");
Console.WriteLine($"{"all",5} {"para rejected",14}");
var rejectedBy = new Dictionary<Pair, List<string>>();
foreach (var (name, agrees) in SketchGuards.All)
{
    Console.Write($"{name,-9}");
    foreach (var k in nearMissKinds) Console.Write($"{scored.Count(x => x.Pair.Kind == k && !agrees(x.Pair.Stored, x.Pair.Query)),5}");
    Console.Write($"{scored.Count(x => x.Pair.Label == "near-miss" && !agrees(x.Pair.Stored, x.Pair.Query)),5}");
    Console.WriteLine($" {scored.Count(x => x.Pair.Label == "paraphrase" && !agrees(x.Pair.Stored, x.Pair.Query)),14}");
    foreach (var x in scored.Where(x => !agrees(x.Pair.Stored, x.Pair.Query)))
    {
        if (!rejectedBy.TryGetValue(x.Pair, out var list)) rejectedBy[x.Pair] = list = [];
        list.Add(name);
    }
}
Console.WriteLine("paraphrases a guard rejects:");
foreach (var x in scored.Where(x => x.Pair.Label == "paraphrase" && rejectedBy.ContainsKey(x.Pair)))
    Console.WriteLine($"  {string.Join("+", rejectedBy[x.Pair]),-9} {x.Sim:F3} \"{x.Pair.Stored}\" | \"{x.Pair.Query}\"");
Console.WriteLine("near misses no guard rejects (left to the threshold):");
foreach (var x in scored.Where(x => x.Pair.Label == "near-miss" && !rejectedBy.ContainsKey(x.Pair)).OrderByDescending(x => x.Sim))
    Console.WriteLine($"  {x.Sim:F3} {x.Pair.Kind,-8} \"{x.Pair.Stored}\" | \"{x.Pair.Query}\"");

Console.WriteLine();
Console.WriteLine("threshold with all sketch guards on (hit when similarity >= threshold and every guard agrees)");
Console.Write($"{"thresh",6} {"para hit",9} {"near false",10} ");
foreach (var k in nearMissKinds) Console.Write($"{k[..Math.Min(4, k.Length)],5}");
Console.WriteLine();
for (var i = 80; i <= 98; i++)
{
    var th = i / 100.0;
    bool Hit((Pair Pair, double Sim) x) => x.Sim >= th && !rejectedBy.ContainsKey(x.Pair);
    var hit = scored.Count(x => x.Pair.Label == "paraphrase" && Hit(x));
    var fh = scored.Count(x => x.Pair.Label == "near-miss" && Hit(x));
    Console.Write($"{th,6:F2} {100.0 * hit / paraphrases,8:F1}% {100.0 * fh / nearCount,9:F1}% ");
    foreach (var k in nearMissKinds) Console.Write($"{scored.Count(x => x.Pair.Kind == k && Hit(x)),5}");
    Console.WriteLine();
}
return 0;

static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
{
    double s = 0;
    for (var i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
    return s;
}

static double Q(double[] sorted, double q)
{
    var pos = q * (sorted.Length - 1);
    var lo = (int)Math.Floor(pos);
    var hi = Math.Min(lo + 1, sorted.Length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

sealed record EvaluationSet([property: JsonPropertyName("pairs")] List<Pair> Pairs);

sealed record Pair(string Stored, string Query, string Label, string Kind);
