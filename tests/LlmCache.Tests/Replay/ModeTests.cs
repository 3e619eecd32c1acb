namespace LlmCache.Tests.Replay;

/// <summary>The mode from options and from LLMCACHE_MODE.</summary>
public sealed class ModeTests
{
    [Theory]
    [InlineData("readwrite", LlmCacheMode.ReadWrite)]
    [InlineData("ReadWrite", LlmCacheMode.ReadWrite)]
    [InlineData("replay", LlmCacheMode.Replay)]
    [InlineData("REPLAY", LlmCacheMode.Replay)]
    [InlineData(" record ", LlmCacheMode.Record)]
    [InlineData("Record", LlmCacheMode.Record)]
    public void ModeText_IsReadInAnyCase(string text, LlmCacheMode expected) =>
        Assert.Equal(expected, LlmCacheOptions.ParseMode(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void NoModeText_MeansNoMode(string? text) => Assert.Null(LlmCacheOptions.ParseMode(text));

    [Theory]
    [InlineData("replya")]
    [InlineData("read-write")]
    [InlineData("2")]
    [InlineData("off")]
    public void AnInvalidModeText_IsAClearError(string text)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => LlmCacheOptions.ParseMode(text));
        Assert.Contains("LLMCACHE_MODE='" + text + "'", error.Message);
        Assert.Contains("readwrite, replay or record", error.Message);
    }
}

/// <summary>Tests that set LLMCACHE_MODE for the whole process: run alone, never beside another test.</summary>
[CollectionDefinition(nameof(EnvironmentModeCollection), DisableParallelization = true)]
public sealed class EnvironmentModeCollection;

[Collection(nameof(EnvironmentModeCollection))]
public sealed class EnvironmentModeTests
{
    private static T With<T>(string? value, Func<T> act)
    {
        string? before = Environment.GetEnvironmentVariable(LlmCacheOptions.ModeVariable);
        Environment.SetEnvironmentVariable(LlmCacheOptions.ModeVariable, value);
        try
        {
            return act();
        }
        finally
        {
            Environment.SetEnvironmentVariable(LlmCacheOptions.ModeVariable, before);
        }
    }

    [Fact]
    public void TheVariable_SetsTheDefaultMode()
    {
        Assert.Equal(LlmCacheMode.Record, With("record", () => new LlmCacheOptions().Mode));
        Assert.Equal(LlmCacheMode.Replay, With("Replay", () => new LlmCacheOptions().Mode));
        Assert.Equal(LlmCacheMode.ReadWrite, With(null, () => new LlmCacheOptions().Mode));
        Assert.Equal(LlmCacheMode.Replay, With("replay", () =>
        {
            using var runtime = new LlmCacheRuntime();
            return runtime.Options.Mode;
        }));
    }

    [Fact]
    public void AnInvalidVariable_StopsTheRuntimeFromStarting()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => With("replai", () => new LlmCacheRuntime()));
        Assert.Contains("LLMCACHE_MODE='replai' is not a mode of LlmCache", error.Message);
        Assert.Throws<ArgumentException>(() => With("replai", LlmCacheOptions.ModeFromEnvironment));
    }

    [Fact]
    public void AModeSetInOptions_WinsOverTheVariable()
    {
        Assert.Equal(LlmCacheMode.ReadWrite, With("replai", () =>
        {
            using var runtime = new LlmCacheRuntime(new LlmCacheOptions { Mode = LlmCacheMode.ReadWrite });
            return runtime.Options.Mode;
        }));
        Assert.Equal(LlmCacheMode.Record, With("replay", () => new LlmCacheOptions { Mode = LlmCacheMode.Record }.Mode));
    }
}
