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
    /// The C# files of <paramref name="folder"/> (relative to the repository), without build output.
    /// Property-based tests are left out: they use CsCheck's C# 14 extension members, which the
    /// Roslyn 4.14 these checks compile with cannot bind, and they declare no cached method.
    /// </summary>
    public static string[] Files(string folder)
    {
        char separator = Path.DirectorySeparatorChar;
        return Directory.GetFiles(Path.Combine(RepoRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal)
                && !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal)
                && !File.ReadAllText(f).Contains("using CsCheck;", StringComparison.Ordinal))
            .ToArray();
    }
}
