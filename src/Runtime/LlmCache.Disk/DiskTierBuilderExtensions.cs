using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.Disk;

/// <summary>Adds the SQLite disk tier to an LlmCache registration.</summary>
public static class DiskTierBuilderExtensions
{
    /// <summary>
    /// Adds a persistent SQLite tier below the in-process level: a second run of the same workload is
    /// served from disk, and processes on one machine share answers.
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">Optional changes to the disk options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddDiskTier(this LlmCacheBuilder builder, Action<DiskTierOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DiskTierOptions();
        configure?.Invoke(options);
        builder.Services.AddSingleton(provider => new SqliteCacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Disk"), provider.GetService<TimeProvider>()));
        builder.Services.AddOptions<LlmCacheOptions>().Configure<SqliteCacheTier>((o, tier) =>
        {
            if (!o.Tiers.Contains(tier))
            {
                o.Tiers.Add(tier);
            }
        });
        return builder;
    }
}
