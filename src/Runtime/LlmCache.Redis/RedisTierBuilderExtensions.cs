using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.Redis;

/// <summary>Adds the Redis tier to an LlmCache registration.</summary>
public static class RedisTierBuilderExtensions
{
    /// <summary>Adds a Redis tier after any tier added before it (so disk, then Redis).</summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">The connection and behaviour.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddRedisTier(this LlmCacheBuilder builder, Action<RedisTierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisTierOptions();
        configure(options);
        builder.Services.AddSingleton(provider => new RedisCacheTier(options, provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.Redis")));
        builder.Services.AddOptions<LlmCacheOptions>().Configure<RedisCacheTier>((o, tier) =>
        {
            if (!o.Tiers.Contains(tier))
            {
                o.Tiers.Add(tier);
            }
        });
        return builder;
    }
}
