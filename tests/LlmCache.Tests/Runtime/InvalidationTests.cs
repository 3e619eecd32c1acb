using LlmCache.Generated;

namespace LlmCache.Tests.Runtime;

/// <summary>Typed keys, targeted eviction, tags, and key explanations.</summary>
public sealed class InvalidationTests
{
    [Fact]
    public async Task TypedKey_MatchesTheKeyTheCallUses_AndEvictRemovesExactlyThatEntry()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("e1");
            await service.AskAsync("e2");
            string key = LlmCacheKeys.ControlledService_AskAsync("e1").Key(runtime);
            Assert.StartsWith("llmcache:v1:LlmCache.Tests.Runtime.ControlledService.AskAsync.", key, StringComparison.Ordinal);
            Assert.NotEqual(key, LlmCacheKeys.ControlledService_AskAsync("e2").Key(runtime));

            await LlmCacheKeys.ControlledService_AskAsync("e1").EvictAsync(runtime);
            Assert.Equal("e1#3", await service.AskAsync("e1"));
            Assert.Equal("e2#2", await service.AskAsync("e2"));

            // RemoveAsync with the typed key is the same eviction.
            await runtime.RemoveAsync(LlmCacheKeys.ControlledService_AskAsync("e2").Key(runtime));
            Assert.Equal("e2#4", await service.AskAsync("e2"));
        }
    }

    [Fact]
    public async Task RemoveByTag_DropsEveryEntryOfTheTaggedMethods_Only()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            await service.AskAsync("t1");
            await service.AskAsync("t2");
            await service.OtherAsync("t1");
            await runtime.RemoveByTagAsync("answers");
            Assert.Equal("t1#4", await service.AskAsync("t1"));
            Assert.Equal("t2#5", await service.AskAsync("t2"));
            Assert.Equal("other t1#3", await service.OtherAsync("t1"));
        }
    }

    [Fact]
    public void Explanation_NamesTheKeyedAndIgnoredParameters_WithSizes_ButNoValues()
    {
        var (_, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            const string secret = "my-secret-prompt-text";
            KeyExplanation explanation = LlmCacheKeys.ControlledService_AskWithControlAsync(secret).Explain(runtime);
            Assert.Equal(LlmCacheKeys.ControlledService_AskWithControlAsync(secret).Key(runtime), explanation.Key);
            KeyPart part = Assert.Single(explanation.Parts);
            Assert.Equal("prompt", part.Name);
            Assert.Equal(1 + 4 + secret.Length, part.EncodedBytes); // tag, length, UTF-8 bytes
            Assert.Equal(["user", "control"], explanation.Ignored);
            Assert.False(explanation.TenantPartitioned);
            string text = explanation.ToString();
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.Contains("prompt", text, StringComparison.Ordinal);
            Assert.Contains("user (not keyed)", text, StringComparison.Ordinal);
        }
    }
}
