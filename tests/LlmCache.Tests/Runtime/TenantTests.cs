using LlmCache.Generated;

namespace LlmCache.Tests.Runtime;

/// <summary>A tenant parameter partitions the key: hashed, never stored raw, never shared.</summary>
public sealed class TenantTests
{
    [Fact]
    public async Task TwoTenants_NeverShareAnEntry_OneTenantHitsItsOwn()
    {
        var (service, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            Assert.Equal("acme:q#1", await service.AskForTenantAsync("acme", "q"));
            Assert.Equal("globex:q#2", await service.AskForTenantAsync("globex", "q"));
            Assert.Equal("acme:q#1", await service.AskForTenantAsync("acme", "q"));
            Assert.Equal("globex:q#2", await service.AskForTenantAsync("globex", "q"));
            Assert.Equal(2, service.Calls);
        }
    }

    [Fact]
    public void TenantKey_HoldsAHashedPartition_NotTheTenant()
    {
        var (_, _, runtime) = ControlledService.Create();
        using (runtime)
        {
            string acme = LlmCacheKeys.ControlledService_AskForTenantAsync("acme-corp", "q").Key(runtime);
            string globex = LlmCacheKeys.ControlledService_AskForTenantAsync("globex-inc", "q").Key(runtime);
            Assert.DoesNotContain("acme", acme, StringComparison.Ordinal);
            string[] a = acme.Split(':');
            string[] g = globex.Split(':');
            Assert.Equal(5, a.Length);
            Assert.StartsWith("t-", a[3], StringComparison.Ordinal);
            Assert.NotEqual(a[3], g[3]);
            // The prompt part is the same hash: the partition alone separates them.
            Assert.Equal(a[4], g[4]);
            Assert.True(LlmCacheKeys.ControlledService_AskForTenantAsync("acme-corp", "q").Explain(runtime).TenantPartitioned);
        }
    }
}
