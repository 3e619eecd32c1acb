using System.Text;

namespace LlmCache.Tests.Keys;

/// <summary>
/// docs/keys.md shows what each Microsoft.Extensions.AI type contributes to a key, rendered from the
/// catalogue the writers follow, so the page cannot drift from the code. Set
/// LLMCACHE_UPDATE_BASELINES=1 to rewrite the table, then review it with git diff.
/// </summary>
public sealed class KeyContractDocTests
{
    private const string Begin = "<!-- coverage:begin (generated from AIKeyCoverage by KeyContractDocTests) -->";
    private const string End = "<!-- coverage:end -->";

    [Fact]
    public void TheKeyContractPage_ListsTheCatalogueAsItIs()
    {
        string path = PagePath();
        string page = File.ReadAllText(path).ReplaceLineEndings("\n");
        int begin = page.IndexOf(Begin, StringComparison.Ordinal);
        int end = page.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/keys.md lacks the coverage markers");
        string current = page.Substring(begin + Begin.Length, end - begin - Begin.Length);
        string expected = "\n" + Render();
        if (current != expected)
        {
            if (Environment.GetEnvironmentVariable("LLMCACHE_UPDATE_BASELINES") == "1")
            {
                File.WriteAllText(path, page[..(begin + Begin.Length)] + expected + page[end..]);
            }
            Assert.Fail("docs/keys.md does not show the catalogue as it is; set LLMCACHE_UPDATE_BASELINES=1 to rewrite it and review the diff.");
        }
    }

    private static string Render()
    {
        var text = new StringBuilder();
        text.Append("| type | keyed | not keyed, and why |\n|---|---|---|\n");
        foreach (AIKeyCoverageEntry entry in AIKeyCoverage.Entries.Values.OrderBy(e => e.Type.Name, StringComparer.Ordinal))
        {
            string keyed = entry.Keyed.Count == 0 ? "(its kind)" : string.Join(", ", entry.Keyed.Order(StringComparer.Ordinal).Select(n => "`" + n + "`"));
            IEnumerable<string> others = entry.Excluded.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => "`" + e.Key + "`: " + e.Value)
                .Concat(entry.PassThrough.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => "`" + e.Key + "` (keyed, and a call carrying one runs uncached): " + e.Value));
            text.Append("| `").Append(entry.Type.Name).Append("` | ").Append(keyed).Append(" | ")
                .Append(string.Join("; ", others).Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }
        return text.ToString();
    }

    private static string PagePath()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string page = Path.Combine(dir.FullName, "docs", "keys.md");
            if (File.Exists(page))
            {
                return page;
            }
        }
        throw new FileNotFoundException("docs/keys.md was not found above the test's folder.");
    }
}
