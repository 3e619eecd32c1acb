using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCache.S3;

/// <summary>Adds the S3 tier to an LlmCache registration.</summary>
public static class S3TierBuilderExtensions
{
    /// <summary>Adds an S3 tier after any tier added before it (so disk, Redis, then S3).</summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">Bucket, endpoint and credentials.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddS3Tier(this LlmCacheBuilder builder, Action<S3TierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3TierOptions();
        configure(options);
        builder.Services.AddSingleton(provider => new S3CacheTier(options,
            provider.GetService<ILoggerFactory>()?.CreateLogger("LlmCache.S3"), provider.GetService<TimeProvider>()));
        builder.Services.AddOptions<LlmCacheOptions>().Configure<S3CacheTier>((o, tier) =>
        {
            if (!o.Tiers.Contains(tier))
            {
                o.Tiers.Add(tier);
            }
        });
        return builder;
    }
}
