namespace LlmCache.Generators.Tests;

/// <summary>The method id's fingerprint covers everything that decides what an entry means.</summary>
public sealed class SchemaVersioningTests
{
    private const string Template = """
        using System.Threading.Tasks;
        using LlmCache;
        namespace Demo;
        public sealed record Answer(string Text /*EXTRA*/);
        public sealed class S
        {
            [LlmCached(IgnoreParams = [/*IGNORED*/])]
            public Task<Answer> AskAsync(string prompt, int level /*PARAM*/) => Task.FromResult(new Answer(prompt));
            public Task<Answer> Call() => AskAsync("x", 1);
        }
        """;

    private static string MethodId(string source)
    {
        var (_, diagnostics, result) = GeneratorHarness.Run(source);
        Assert.Empty(diagnostics);
        string text = Assert.Single(result.GeneratedTrees).ToString();
        int start = text.IndexOf("\"Demo.S.AskAsync.", StringComparison.Ordinal);
        return text.Substring(start + 1, text.IndexOf('"', start + 1) - start - 1);
    }

    [Fact]
    public void SameSource_SameId()
    {
        Assert.Equal(MethodId(Template), MethodId(Template));
    }

    [Fact]
    public void ChangedResultDto_ChangesTheId()
    {
        Assert.NotEqual(MethodId(Template), MethodId(Template.Replace("/*EXTRA*/", ", int Score")));
    }

    [Fact]
    public void ChangedParameterType_ChangesTheId()
    {
        Assert.NotEqual(MethodId(Template), MethodId(Template.Replace("int level", "long level").Replace("AskAsync(\"x\", 1)", "AskAsync(\"x\", 1L)")));
    }

    [Fact]
    public void NewlyIgnoredParameter_ChangesTheId()
    {
        Assert.NotEqual(MethodId(Template), MethodId(Template.Replace("/*IGNORED*/", "\"level\"")));
    }

    [Fact]
    public void AddedParameter_ChangesTheId()
    {
        Assert.NotEqual(MethodId(Template), MethodId(Template.Replace("/*PARAM*/", ", bool strict = false")));
    }

    [Fact]
    public void UnrelatedMember_KeepsTheId()
    {
        string edited = Template.Replace("public Task<Answer> Call()", "public int Unrelated => 1;\n    public Task<Answer> Call()");
        Assert.NotEqual(Template, edited);
        Assert.Equal(MethodId(Template), MethodId(edited));
    }
}
