using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.S3;

/// <summary>Adds the S3 tier to an LlmCache registration.</summary>
public static class S3TierBuilderExtensions
{
    /// <summary>Adds an S3 tier as the next tier of the chain (so disk, Redis, then S3).</summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">Bucket, endpoint and credentials.</param>
    /// <param name="readOnly">Whether this process only reads the tier.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddS3Tier(this LlmCacheBuilder builder, Action<S3TierOptions> configure, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3TierOptions();
        configure(options);
        return builder.AddTier(provider => new S3CacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.S3"), provider.GetService<TimeProvider>()), readOnly);
    }

    /// <summary>
    /// Adds the S3 tier as configured by <paramref name="section"/> (options bound from it, <c>ReadOnly</c>
    /// honoured), on while it says <c>Enabled: true</c>. It follows reloads of the section: switched on or
    /// off, or rebuilt with the new options, without losing writes in flight (see <see cref="ConfiguredTier"/>).
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="section">For example <c>configuration.GetSection("LlmCache:S3")</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddS3Tier(this LlmCacheBuilder builder, IConfiguration section) =>
        builder.AddConfiguredTier<S3TierOptions, S3CacheTier>(section, static (provider, options) => new S3CacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.S3"), provider.GetService<TimeProvider>()));
}
