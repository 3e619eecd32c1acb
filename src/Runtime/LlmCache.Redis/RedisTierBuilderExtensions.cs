using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.Redis;

/// <summary>Adds the Redis tier to an LlmCache registration.</summary>
public static class RedisTierBuilderExtensions
{
    /// <summary>Adds a Redis tier as the next tier of the chain (so disk, then Redis).</summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">The connection and behaviour.</param>
    /// <param name="readOnly">Whether this process only reads the tier.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddRedisTier(this LlmCacheBuilder builder, Action<RedisTierOptions> configure, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisTierOptions();
        configure(options);
        return builder.AddTier(provider => new RedisCacheTier(options, provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Redis")), readOnly);
    }

    /// <summary>
    /// Adds the Redis tier as configured by <paramref name="section"/> (options bound from it, <c>ReadOnly</c>
    /// honoured), on while it says <c>Enabled: true</c>. It follows reloads of the section: switched on or
    /// off, or rebuilt with the new options, without losing writes in flight (see <see cref="ConfiguredTier"/>).
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="section">For example <c>configuration.GetSection("LlmCache:Redis")</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddRedisTier(this LlmCacheBuilder builder, IConfiguration section) =>
        builder.AddConfiguredTier<RedisTierOptions, RedisCacheTier>(section, static (provider, options) => new RedisCacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Redis")));
}
