using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace LlmCache.Semantic.Tests;

/// <summary>
/// Issue 11's evaluation: every pair of the set through a real <c>[LlmCached(Semantic)]</c> method with
/// all-MiniLM-L6-v2, in a partition of its own (the stored text is called first, then the query), for
/// the default configuration, each guard switched off, and a curve of thresholds.
/// </summary>
public sealed class SemanticEvaluationTests(EvaluationFixture fixture, ITestOutputHelper output) : IClassFixture<EvaluationFixture>
{
    private static readonly string[] NearMissKinds = ["negation", "number", "date", "name", "product", "unit", "intent", "quoted"];

    private static readonly SemanticGuards[] Guards =
    [
        SemanticGuards.Numbers, SemanticGuards.Negations, SemanticGuards.Quotes, SemanticGuards.Entities, SemanticGuards.Contrasts,
        SemanticGuards.Substitutions, SemanticGuards.Margin,
    ];

    [Fact]
    public async Task TheDefaults_ServeNoNearMiss_AndMostParaphrases()
    {
        var defaults = new SemanticCacheOptions();
        var watch = Stopwatch.StartNew();
        Result byDefault = await RunAsync("defaults", defaults.Similarity, defaults.Guards);
        var rows = new List<Result> { byDefault };
        foreach (SemanticGuards guard in Guards)
        {
            rows.Add(await RunAsync($"{guard} off", defaults.Similarity, defaults.Guards & ~guard));
        }
        rows.Add(await RunAsync("no guard", defaults.Similarity, SemanticGuards.None));
        foreach (SemanticGuards guard in Guards)
        {
            rows.Add(await RunAsync($"{guard} alone", defaults.Similarity, guard)); // the guards overlap: what each refuses by itself
        }
        var curve = new List<(Result Guarded, Result Unsubstituted, Result Plain)>();
        for (int i = 80; i <= 95; i++)
        {
            double threshold = i / 100.0;
            curve.Add((await RunAsync(Threshold(threshold), threshold, defaults.Guards),
                await RunAsync(Threshold(threshold), threshold, defaults.Guards & ~SemanticGuards.Substitutions),
                await RunAsync(Threshold(threshold), threshold, SemanticGuards.None)));
        }
        watch.Stop();

        string table = Table(defaults, rows, curve, watch.Elapsed);
        output.WriteLine(table);
        string results = Path.Combine(RepositoryRoot(), "TestResults");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, "semantic-eval.md"), table);

        output.WriteLine(Diagnosis(defaults));
        Assert.True(byDefault.FalseHits == 0, $"the defaults served {byDefault.FalseHits} near misses: {string.Join(" | ", byDefault.FalseHitPairs)}");
        Assert.True(byDefault.ParaphraseHitRate >= 0.60, $"the defaults served {byDefault.ParaphraseHitRate:P1} of paraphrases (target: 60%)");
    }

    private async Task<Result> RunAsync(string name, double similarity, SemanticGuards guards)
    {
        var options = new LlmCacheOptions { Semantic = { EmbeddingGenerator = fixture.Embeddings, Similarity = similarity, Guards = guards } };
        using var runtime = new LlmCacheRuntime(options);
        var bot = new EvaluationBot(runtime);
        IReadOnlyList<EvaluationPair> pairs = fixture.Pairs;
        for (int i = 0; i < pairs.Count; i++)
        {
            await bot.AskAsync(Partition(i), pairs[i].Stored);
        }
        await runtime.FlushAsync(); // the index writes
        var result = new Result(name);
        for (int i = 0; i < pairs.Count; i++)
        {
            EvaluationPair pair = pairs[i];
            string answer = await bot.AskAsync(Partition(i), pair.Query);
            bool hit = answer == EvaluationBot.Answer(pair.Stored);
            Assert.True(hit || answer == EvaluationBot.Answer(pair.Query), $"pair {i} was answered by another pair's call");
            result.Count(pair, hit);
        }
        return result;
    }

    /// <summary>The pairs the defaults get wrong, or that a guard alone refuses: their similarity and the guard.</summary>
    private string Diagnosis(SemanticCacheOptions defaults)
    {
        var text = new StringBuilder();
        text.AppendLine("Pairs a guard refuses or the threshold decides (similarity, refusing guard):");
        foreach (EvaluationPair pair in fixture.Pairs.OrderBy(p => p.Label).ThenByDescending(p => fixture.Similarity(p)))
        {
            double similarity = fixture.Similarity(pair);
            SemanticGuards? refused = SemanticFeatures.Of(pair.Query).Disagreement(SemanticFeatures.Of(pair.Stored), defaults.Guards);
            bool wrong = pair.IsParaphrase ? refused is not null || similarity < defaults.Similarity : refused is null && similarity >= defaults.Similarity;
            if (wrong || pair.IsParaphrase && refused is not null || !pair.IsParaphrase && refused is null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{(wrong ? "WRONG " : "      ")}{pair.Kind,-10} {similarity:F3} {refused?.ToString() ?? "-",-10} \"{pair.Stored}\" / \"{pair.Query}\"");
            }
        }
        return text.ToString();
    }

    private static string Partition(int pair) => "pair-" + pair.ToString(CultureInfo.InvariantCulture);

    private static string Threshold(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private string Table(SemanticCacheOptions defaults, List<Result> rows, List<(Result Guarded, Result Unsubstituted, Result Plain)> curve, TimeSpan elapsed)
    {
        IReadOnlyList<EvaluationPair> pairs = fixture.Pairs;
        int paraphrases = pairs.Count(p => p.IsParaphrase);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Semantic cache evaluation: {pairs.Count} pairs ({paraphrases} paraphrases, {pairs.Count - paraphrases} near misses), "
            + $"all-MiniLM-L6-v2, {fixture.Texts} texts embedded once at {fixture.MillisecondsPerEmbedding:F1} ms per text (one text per call, {Environment.ProcessorCount} cores); "
            + $"{rows.Count + 3 * curve.Count} configurations run in {elapsed.TotalSeconds:F1} s.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Threshold {Threshold(defaults.Similarity)}, margin {defaults.Margin:0.00}; false hits per near-miss kind (pairs of the kind in parentheses).");
        text.AppendLine();
        text.Append("| configuration | paraphrase hits | near-miss false hits |");
        foreach (string kind in NearMissKinds)
        {
            text.Append(CultureInfo.InvariantCulture, $" {kind} ({pairs.Count(p => p.Kind == kind)}) |");
        }
        text.AppendLine();
        text.Append("|---|---:|---:|").Append(string.Concat(Enumerable.Repeat("---:|", NearMissKinds.Length))).AppendLine();
        foreach (Result row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Name} | {Rate(row.ParaphraseHits, row.Paraphrases)} | {Rate(row.FalseHits, row.NearMisses)} |");
            foreach (string kind in NearMissKinds)
            {
                text.Append(CultureInfo.InvariantCulture, $" {row.FalseHitsOf(kind)} |");
            }
            text.AppendLine();
        }
        text.AppendLine();
        text.AppendLine("Threshold curve: every guard on, every guard but Substitutions, no guard (paraphrase hits / near-miss false hits):");
        text.AppendLine();
        text.AppendLine("| threshold | every guard: paraphrases | false hits | but Substitutions: paraphrases | false hits | no guard: paraphrases | false hits |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach ((Result guarded, Result unsubstituted, Result plain) in curve)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {guarded.Name} | {Rate(guarded.ParaphraseHits, guarded.Paraphrases)} | {Rate(guarded.FalseHits, guarded.NearMisses)} "
                + $"| {Rate(unsubstituted.ParaphraseHits, unsubstituted.Paraphrases)} | {Rate(unsubstituted.FalseHits, unsubstituted.NearMisses)} "
                + $"| {Rate(plain.ParaphraseHits, plain.Paraphrases)} | {Rate(plain.FalseHits, plain.NearMisses)} |");
        }
        Result byDefault = rows[0];
        if (byDefault.FalseHitPairs.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Near misses the defaults served:");
            foreach (string pair in byDefault.FalseHitPairs)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {pair}");
            }
        }
        return text.ToString();
    }

    private static string Rate(int count, int of) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / of:F1}% ({count}/{of})");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LlmCache.Generators.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (LlmCache.Generators.sln) was not found above " + AppContext.BaseDirectory);
    }

    private sealed class Result(string name)
    {
        private readonly Dictionary<string, int> _falseHits = new(StringComparer.Ordinal);

        public string Name { get; } = name;
        public int Paraphrases { get; private set; }
        public int ParaphraseHits { get; private set; }
        public int NearMisses { get; private set; }
        public int FalseHits { get; private set; }
        public List<string> FalseHitPairs { get; } = [];
        public double ParaphraseHitRate => (double)ParaphraseHits / Paraphrases;

        public int FalseHitsOf(string kind) => _falseHits.GetValueOrDefault(kind);

        public void Count(EvaluationPair pair, bool hit)
        {
            if (pair.IsParaphrase)
            {
                Paraphrases++;
                ParaphraseHits += hit ? 1 : 0;
                return;
            }
            NearMisses++;
            if (hit)
            {
                FalseHits++;
                _falseHits[pair.Kind] = FalseHitsOf(pair.Kind) + 1;
                FalseHitPairs.Add($"{pair.Kind}: \"{pair.Stored}\" / \"{pair.Query}\"");
            }
        }
    }
}
