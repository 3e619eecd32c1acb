using System.Collections.Immutable;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using static LlmCache.Generators.LlmCachedGenerator;

namespace LlmCache.Generators.Tests;

/// <summary>
/// The analyzer and the generator read one description of a method: for every [LlmCached] method the
/// analyzer's verdict (LLMC011: cached or refused, and how many call sites) must be what the generator
/// wrote (a model, and that many intercepted call sites), and the analyzer reports an error exactly
/// when the generator refuses a method (save LLMC003 for a result System.Text.Json cannot read back,
/// which is reported and still intercepted). Methods of other assemblies that <c>[assembly: LlmCacheCalls]</c>
/// names are held to the same: LLMC011 judges them at the attribute, the generator models them in its
/// CalledMethods step.
/// </summary>
internal static class Agreement
{
    public static void Check(Compilation input, GeneratorDriverRunResult run)
    {
        GeneratorRunResult result = run.Results.Single();
        var disagreements = new List<string>();
        var models = new HashSet<string>(StringComparer.Ordinal);
        void AddModel(MethodModel model)
        {
            if (!models.Add(model.DocId))
            {
                disagreements.Add($"{model.DocId}: the generator wrote more than one model");
            }
        }
        if (result.TrackedSteps.TryGetValue(TrackingNames.MethodModels, out ImmutableArray<IncrementalGeneratorRunStep> modelSteps))
        {
            foreach (IncrementalGeneratorRunStep step in modelSteps)
            {
                foreach ((object value, _) in step.Outputs)
                {
                    AddModel((MethodModel)value);
                }
            }
        }
        // Methods of other assemblies ([assembly: LlmCacheCalls]): one array of models per compilation unit.
        if (result.TrackedSteps.TryGetValue(TrackingNames.CalledMethods, out ImmutableArray<IncrementalGeneratorRunStep> calledSteps))
        {
            foreach (MethodModel model in calledSteps.SelectMany(s => s.Outputs).SelectMany(o => (EquatableArray<MethodModel>)o.Value))
            {
                AddModel(model);
            }
        }
        var sites = new Dictionary<string, int>(StringComparer.Ordinal);
        if (result.TrackedSteps.TryGetValue(TrackingNames.CallSites, out ImmutableArray<IncrementalGeneratorRunStep> siteSteps))
        {
            foreach (CallSiteModel site in siteSteps.SelectMany(s => s.Outputs).SelectMany(o => (EquatableArray<CallSiteModel>)o.Value))
            {
                sites[site.TargetDocId] = sites.GetValueOrDefault(site.TargetDocId) + 1;
            }
        }

        ImmutableArray<Diagnostic> diagnostics = input.WithAnalyzers(GeneratorHarness.Analyzers())
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        var verdicts = diagnostics.Where(d => d.Id == "LLMC011").ToDictionary(
            d => d.Properties[DiagnosticDescriptors.PropertyDocId]!,
            d => (Cached: d.Properties[DiagnosticDescriptors.PropertyCached] == "true", Sites: int.Parse(d.Properties[DiagnosticDescriptors.PropertyCallSites]!)));

        foreach ((string docId, (bool cached, int count)) in verdicts)
        {
            if (cached != models.Contains(docId))
            {
                disagreements.Add($"{docId}: the analyzer says {(cached ? "cached" : "refused")}, the generator {(models.Contains(docId) ? "wrote a model" : "wrote none")}");
            }
            int generated = models.Contains(docId) ? sites.GetValueOrDefault(docId) : 0;
            if (count != generated)
            {
                disagreements.Add($"{docId}: the analyzer counts {count} call site(s), the generator intercepts {generated}");
            }
        }
        foreach (string docId in models.Where(m => !verdicts.ContainsKey(m)))
        {
            disagreements.Add($"{docId}: the generator wrote a model the analyzer never judged");
        }
        // What was written is what was counted: one interceptor attribute per call site of a cached method.
        int written = result.GeneratedSources.Sum(s => Occurrences(s.SourceText.ToString(), "[LlmcAt("));
        int counted = verdicts.Values.Where(v => v.Cached).Sum(v => v.Sites);
        if (written != counted)
        {
            disagreements.Add($"the generated code intercepts {written} call site(s), the analyzer counts {counted}");
        }
        // A result System.Text.Json cannot read back is an error the generator does not refuse (LLMC003 marked intercepted);
        // an LlmCacheCalls that names no cacheable method (LLMC016) leaves the generator no method to refuse, and the
        // checks above already hold it to writing none (every model needs the analyzer's verdict).
        bool anyError = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error
            && d.Id != DiagnosticDescriptors.InvalidCallsTarget.Id
            && !(d.Properties.TryGetValue(DiagnosticDescriptors.PropertyIntercepted, out string? intercepted) && intercepted == "true"));
        bool anyRefused = verdicts.Values.Any(v => !v.Cached);
        if (anyError != anyRefused)
        {
            disagreements.Add(anyError ? "the analyzer reports an error, yet the generator refused no method" : "the generator refused a method without an error from the analyzer");
        }
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    private static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
