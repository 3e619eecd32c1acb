namespace LlmCache.Tests.Runtime;

/// <summary><see cref="LlmCacheRuntime.RemoveMethodAsync"/>: every entry of one method, none of another.</summary>
public sealed class MethodRemovalTests
{
    [Fact]
    public async Task RemoveMethod_DropsEveryEntryOfThatMethod_Only()
    {
        var (service, clock, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("m1");
            await service.AskAsync("m2");
            await service.OtherAsync("m1");
            string ask = MethodId(runtime, ".AskAsync.");

            Assert.True(await runtime.RemoveMethodAsync(ask));
            clock.Advance(TimeSpan.FromMilliseconds(1));   // the removal wins over anything created at the same instant
            Assert.Equal("m1#4", await service.AskAsync("m1"));
            Assert.Equal("m2#5", await service.AskAsync("m2"));
            Assert.Equal("other m1#3", await service.OtherAsync("m1"));
            Assert.Equal("m1#4", await service.AskAsync("m1"));   // stored again after the removal
        }
    }

    [Fact]
    public async Task RemoveMethod_OfAMethodNotCalledYet_RemovesNothingElse()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("n1");
            Assert.True(await runtime.RemoveMethodAsync("Some.Other.Method.0123456789abcdef"));
            Assert.Equal("n1#1", await service.AskAsync("n1"));
            Assert.DoesNotContain(runtime.MethodStatistics, m => m.MethodId.StartsWith("Some.Other.", StringComparison.Ordinal));
            await Assert.ThrowsAsync<ArgumentException>(async () => await runtime.RemoveMethodAsync(""));
        }
    }

    private static string MethodId(LlmCacheRuntime runtime, string name) =>
        runtime.MethodStatistics.Select(m => m.MethodId).Single(id => id.Contains(name, StringComparison.Ordinal));
}
