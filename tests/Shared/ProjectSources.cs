namespace LlmCache.Testing;

/// <summary>The repository's own sources, for the tests that compile a sample or a test project whole.</summary>
internal static class ProjectSources
{
    /// <summary>The folder that holds the solution file.</summary>
    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmCache.Generators.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>
    /// The C# files of <paramref name="folder"/> (relative to the repository), without build output,
    /// and the shared files its project links in (<c>&lt;Compile Include="..\Shared\X.cs" /&gt;</c>).
    /// Property-based tests are left out: they use CsCheck's C# 14 extension members, which the
    /// Roslyn 4.14 these checks compile with cannot bind, and they declare no cached method.
    /// </summary>
    public static string[] Files(string folder)
    {
        char separator = Path.DirectorySeparatorChar;
        string root = Path.Combine(RepoRoot(), folder);
        IEnumerable<string> own = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal)
                && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal));
        IEnumerable<string> linked = Directory.GetFiles(root, "*.csproj")
            .SelectMany(project => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(project), "<Compile Include=\"([^\"]+)\"")
                .Select(m => Path.GetFullPath(Path.Combine(root, m.Groups[1].Value.Replace('\\', separator)))))
            .Where(File.Exists);
        return own.Concat(linked)
            .Where(f => !File.ReadAllText(f).Contains("using CsCheck;", StringComparison.Ordinal))
            .ToArray();
    }
}
