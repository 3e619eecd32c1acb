using System.Reflection;
using LlmCache.Generators;
using Microsoft.CodeAnalysis;
using Xunit;

namespace LlmCache.Analyzers.Tests;

/// <summary>The catalogue stays true: every rule is supported by the analyzer, tracked for release, and documented.</summary>
public sealed class CatalogueTests
{
    private static readonly DiagnosticDescriptor[] s_descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    [Fact]
    public void EveryRule_IsSupportedByTheAnalyzer_WithAUniqueId()
    {
        Assert.NotEmpty(s_descriptors);
        Assert.Equal(s_descriptors.Length, s_descriptors.Select(d => d.Id).Distinct().Count());
        Assert.Equal(s_descriptors.Select(d => d.Id).Order(), new LlmCachedAnalyzer().SupportedDiagnostics.Concat(new CallSiteCountAnalyzer().SupportedDiagnostics).Select(d => d.Id).Order());
    }

    /// <summary>
    /// The call-site count binds every call of a cached method's name; a command-line build runs no analyzer
    /// whose diagnostics are all Hidden, so the count must stay alone, Hidden, in an analyzer of its own.
    /// </summary>
    [Fact]
    public void TheCallSiteCount_IsTheOnlyRuleOfItsAnalyzer_AndHidden()
    {
        DiagnosticDescriptor count = Assert.Single(new CallSiteCountAnalyzer().SupportedDiagnostics);
        Assert.Equal("LLMC011", count.Id);
        Assert.Equal(DiagnosticSeverity.Hidden, count.DefaultSeverity);
        Assert.DoesNotContain(new LlmCachedAnalyzer().SupportedDiagnostics, d => d.Id == "LLMC011");
    }

    [Fact]
    public void EveryRule_HasItsDocPage_AndHelpLink()
    {
        string root = NoFalsePositiveTests.RepoRoot();
        foreach (DiagnosticDescriptor descriptor in s_descriptors)
        {
            Assert.EndsWith("/docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            string page = Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}");
            Assert.StartsWith("# " + descriptor.Id, File.ReadAllText(page), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReleaseTracking_ListsEveryRule_WithItsSeverityAndTitle()
    {
        string root = NoFalsePositiveTests.RepoRoot();
        string folder = Path.Combine(root, "src", "Generator", "LlmCache.Generators");
        var rows = File.ReadAllLines(Path.Combine(folder, "AnalyzerReleases.Unshipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(folder, "AnalyzerReleases.Shipped.md")))
            .Where(l => l.StartsWith("LLMC", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(c => c[0]);
        Assert.Equal(s_descriptors.Select(d => d.Id).Order(), rows.Keys.Order());
        foreach (DiagnosticDescriptor descriptor in s_descriptors)
        {
            string[] row = rows[descriptor.Id];
            Assert.Equal(descriptor.Category, row[1]);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), row[2]);
            Assert.Equal(descriptor.Title.ToString(), row[3]);
        }
    }
}
