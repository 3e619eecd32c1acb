using System.Reflection;
using LlmCache.Tests.Correctness;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmCache.Tests.Middleware;

/// <summary>What a shared tier holds is not trusted to be finished: a forged or older entry is checked as it is read.</summary>
public sealed class ForgedEntryTests
{
    [Fact]
    public async Task AStreamEntryCarryingAContinuationToken_InASharedTier_IsNotReplayed()
    {
        var tier = new DictionaryTier();
        var inner = new CountingChatClient();
        ChatMessage[] ask = [new(ChatRole.User, "s")];
        using var writer = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        IChatClient writing = new ChatClientBuilder(inner).UseLlmCache(writer).Build();
        await foreach (ChatResponseUpdate _ in writing.GetStreamingResponseAsync(ask))
        {
        }
        string streamId = writing.GetService<LlmCacheChatClient>()!.StreamingMethod.Id;
        string key = Assert.Single(tier.Keys, k => k.Contains(streamId, StringComparison.Ordinal));

        // Another process (or an older version) left an unfinished stream under that key: the poll of a
        // background response, whose answer is still being written.
        var forged = new CacheEntry<ChatResponseUpdate[]>(
            [new ChatResponseUpdate(ChatRole.Assistant, "partial") { ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 9 }) }],
            DateTimeOffset.UtcNow.UtcTicks, DateTimeOffset.UtcNow.AddHours(1).UtcTicks);
        var hybrid = (HybridCache)typeof(LlmCacheRuntime).GetField("_cache", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(writer)!;
        await hybrid.SetAsync(key, forged, new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1) });

        using var reader = new LlmCacheRuntime(new LlmCacheOptions { Tiers = { tier } });
        IChatClient reading = new ChatClientBuilder(inner).UseLlmCache(reader).Build();
        var texts = new List<string>();
        await foreach (ChatResponseUpdate update in reading.GetStreamingResponseAsync(ask))
        {
            texts.Add(update.Text);
        }

        Assert.Equal(2, inner.Calls);
        Assert.Equal(["part0#2 ", "part1#2 ", "part2#2 "], texts);
    }
}
