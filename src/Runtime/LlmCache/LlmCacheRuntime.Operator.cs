namespace LlmCache;

public sealed partial class LlmCacheRuntime
{
    /// <summary>
    /// The segment that partitions a tenant's entries in their keys (<c>t-</c> and 16 hex digits:
    /// <c>llmcache:{namespace}:{method-id}:t-…:{sha256}</c>), computed as the cached methods compute it
    /// (with <see cref="LlmCacheOptions.KeySecret"/> when set), so operator tools can find a tenant's
    /// entries in the tiers; the tenant's value itself never appears in a key.
    /// </summary>
    /// <typeparam name="TTenant">The tenant parameter's type (a string, a number, a Guid …).</typeparam>
    /// <param name="tenant">The tenant's value, as the cached methods receive it.</param>
    /// <returns>For example <c>t-3f2a9c01d4e5b6a7</c>.</returns>
    public string TenantKeySegment<TTenant>(TTenant tenant) =>
        "t-" + _keys.TenantPartition(tenant).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
