namespace LlmCache.Generators.Tests;

/// <summary>The generator (netstandard2.0) parses TTLs with its own copy of the rules; it must agree with the runtime's.</summary>
public sealed class TtlAgreementTests
{
    [Theory]
    [InlineData("30s")]
    [InlineData("15m")]
    [InlineData("2h")]
    [InlineData("7d")]
    [InlineData("00:00:30")]
    [InlineData("1.02:03:04")]
    [InlineData("1.02:03:04.5")]
    [InlineData(" 5m ")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("5")]
    [InlineData("5 m")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:05")]
    [InlineData("99999999999999999d")]
    [InlineData("10675199d")]
    public void GeneratorAndRuntime_ParseTheSame(string text)
    {
        bool generator = TtlText.TryParse(text, out TimeSpan compileTime);
        bool runtime = LlmCache.CacheTtl.TryParse(text, out TimeSpan runTime);
        Assert.Equal(runtime, generator);
        Assert.Equal(runTime, compileTime);
    }
}
