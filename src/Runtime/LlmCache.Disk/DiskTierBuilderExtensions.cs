using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.Disk;

/// <summary>Adds the SQLite disk tier to an LlmCache registration.</summary>
public static class DiskTierBuilderExtensions
{
    /// <summary>
    /// Adds a persistent SQLite tier as the next tier of the chain: a second run of the same workload
    /// is served from disk, and processes on one machine share answers.
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">Optional changes to the disk options.</param>
    /// <param name="readOnly">Whether this process only reads the tier.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddDiskTier(this LlmCacheBuilder builder, Action<DiskTierOptions>? configure = null, bool readOnly = false)
    {
        var options = new DiskTierOptions();
        configure?.Invoke(options);
        return builder.AddDiskTier(options, readOnly);
    }

    /// <summary>
    /// Adds the disk tier as configured by <paramref name="section"/> (options bound from it, <c>ReadOnly</c>
    /// honoured), on while it says <c>Enabled: true</c>. It follows reloads of the section: switched on or
    /// off, or rebuilt with the new options, without losing writes in flight (see <see cref="ConfiguredTier"/>).
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="section">For example <c>configuration.GetSection("LlmCache:Disk")</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddDiskTier(this LlmCacheBuilder builder, IConfiguration section) =>
        builder.AddConfiguredTier<DiskTierOptions, SqliteCacheTier>(section, static (provider, options) => new SqliteCacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Disk"), provider.GetService<TimeProvider>()));

    private static LlmCacheBuilder AddDiskTier(this LlmCacheBuilder builder, DiskTierOptions options, bool readOnly) =>
        builder.AddTier(provider => new SqliteCacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Disk"), provider.GetService<TimeProvider>()), readOnly);
}
