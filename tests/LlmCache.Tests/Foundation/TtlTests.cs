using Microsoft.Extensions.Time.Testing;

namespace LlmCache.Tests.Foundation;

/// <summary>TTLs from the attribute, checked against the runtime's clock.</summary>
public sealed class TtlTests
{
    [Fact]
    public async Task ShortFormTtl_ExpiresOnTheFakeClock()
    {
        var clock = new FakeTimeProvider();
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions(), clock);
        var s = new ShapeService(runtime);
        Assert.Equal("a1", await s.Short("a"));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("a1", await s.Short("a"));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a2", await s.Short("a"));
        Assert.Equal("a2", await s.Short("a"));
    }

    [Fact]
    public async Task TimeSpanTtl_ExpiresOnTheFakeClock()
    {
        var clock = new FakeTimeProvider();
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions(), clock);
        var s = new ShapeService(runtime);
        await s.Clock("c");
        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal("c1", await s.Clock("c"));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("c2", await s.Clock("c"));
    }

    [Fact]
    public async Task MethodsWithoutTtl_UseTheDefaultTtl()
    {
        var clock = new FakeTimeProvider();
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { DefaultTtl = TimeSpan.FromMinutes(10) }, clock);
        var s = new ShapeService(runtime);
        await s.TwoStrings("x", "y");
        clock.Advance(TimeSpan.FromMinutes(9));
        await s.TwoStrings("x", "y");
        Assert.Equal(1, s.Calls);
        clock.Advance(TimeSpan.FromMinutes(2));
        await s.TwoStrings("x", "y");
        Assert.Equal(2, s.Calls);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    [InlineData("00:00:30", 30)]
    [InlineData("1.02:03:04", 93784)]
    [InlineData(" 5m ", 300)]
    public void TtlText_Parses(string text, int seconds)
    {
        Assert.True(CacheTtl.TryParse(text, out TimeSpan ttl));
        Assert.Equal(TimeSpan.FromSeconds(seconds), ttl);
        Assert.Equal(ttl, CacheTtl.Parse(text));
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("00:00:00")]
    [InlineData("5")]
    [InlineData("5 m")]
    [InlineData("-00:00:05")]
    public void TtlText_Rejects(string text)
    {
        Assert.False(CacheTtl.TryParse(text, out _));
        Assert.Throws<FormatException>(() => CacheTtl.Parse(text));
    }
}
