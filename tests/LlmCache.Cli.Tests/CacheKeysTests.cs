using LlmCache.Cli.Tiers;
using Xunit;

namespace LlmCache.Cli.Tests;

/// <summary>How purge and stats read the runtime's keys.</summary>
public sealed class CacheKeysTests
{
    private const string Ns = "llmcache:v1:";
    private const string Hash = "e1c8b233333cee2002c7ee26b3d3325c1c95f396fb9bb79294cb41bf4ce07207";

    [Theory]
    [InlineData("Demo.Chat.AskAsync.3f2a9c01d4e5b6a7", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, true)]
    [InlineData("Demo.Chat.AskAsync", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, true)]
    [InlineData("Demo.Chat.AskAsync", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7~support-v2:" + Hash, true)]
    [InlineData("Demo.Chat.AskAsync", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:t-0123456789abcdef:" + Hash, true)]
    [InlineData("Demo.Chat.Ask", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, false)]
    [InlineData("Demo.Chat", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, false)]
    [InlineData("Demo.Chat.AskAsync", "llmcache:v2:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, false)]
    [InlineData("Demo.Chat.AskAsync.3f2a9c01d4e5b6a7", "llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a8:" + Hash, false)]
    public void AMethodOwnsTheKeysOfItsIdOrOfEverySignatureOfItsName(string method, string key, bool belongs) =>
        Assert.Equal(belongs, CacheKeys.BelongsTo(key, Ns, method));

    [Theory]
    [InlineData("llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7:" + Hash, "Demo.Chat.AskAsync.3f2a9c01d4e5b6a7")]
    [InlineData("llmcache:v1:Demo.Chat.AskAsync.3f2a9c01d4e5b6a7~own:t-0123456789abcdef:" + Hash, "Demo.Chat.AskAsync.3f2a9c01d4e5b6a7")]
    [InlineData("llmcache:v1:~tag:0123456789abcdef0123456789abcdef", null)]
    [InlineData("llmcache:v1:~tenant:0123456789abcdef", null)]
    [InlineData("something-else", null)]
    public void TheMethodIdOfAKey_IsNullForRecordsAndForeignKeys(string key, string? method) =>
        Assert.Equal(method, CacheKeys.MethodId(key));

    [Fact]
    public void ATenantSegmentIsMatchedWhole()
    {
        Assert.True(CacheKeys.HasTenant("llmcache:v1:A.B.1:t-0123456789abcdef:" + Hash, "t-0123456789abcdef"));
        Assert.False(CacheKeys.HasTenant("llmcache:v1:A.B.1:t-0123456789abcdee:" + Hash, "t-0123456789abcdef"));
    }

    [Fact]
    public void TheEntrysCreationTime_IsReadFromItsStoredHeader_OrIsNull()
    {
        var created = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
        byte[] stored = new byte[40];
        stored[0] = 0x03;
        stored[1] = 0x01;
        BitConverter.TryWriteBytes(stored.AsSpan(4, 8), created.UtcTicks);
        stored[^2] = 0x03;
        stored[^1] = 0x01;
        Assert.Equal(created, StoredEntryTimes.Created(stored));
        stored[^1] = 0;
        Assert.Null(StoredEntryTimes.Created(stored));
    }
}
