using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache;

/// <summary>Shared plumbing of the tier packages' <c>Add…Tier</c> extensions.</summary>
public static class TierRegistration
{
    /// <summary>
    /// Registers a tier, created once from the container, as the next tier of the chain; a read-only
    /// tier is wrapped in <see cref="ReadOnlyTier"/>.
    /// </summary>
    /// <typeparam name="TTier">The tier type.</typeparam>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="create">Creates the tier.</param>
    /// <param name="readOnly">Whether this process only reads the tier.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddTier<TTier>(this LlmCacheBuilder builder, Func<IServiceProvider, TTier> create, bool readOnly = false)
        where TTier : class, IDistributedCache
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);
        builder.Services.AddSingleton(create);
        builder.Services.AddOptions<LlmCacheOptions>().Configure<TTier>((o, tier) =>
        {
            if (!o.Tiers.Any(t => ReferenceEquals(t, tier) || (t is ReadOnlyTier r && ReferenceEquals(r.Inner, tier))))
            {
                o.Tiers.Add(readOnly ? new ReadOnlyTier(tier) : tier);
            }
        });
        return builder;
    }

    /// <summary>
    /// Reads a tier's section: null when it is absent or <c>Enabled</c> is not true (so operators switch
    /// tiers in configuration, without recompiling); otherwise the bound options and the read-only flag.
    /// </summary>
    /// <typeparam name="TOptions">The tier's options type.</typeparam>
    /// <param name="section">The tier's configuration section, e.g. <c>LlmCache:Redis</c>.</param>
    public static (TOptions Options, bool ReadOnly)? Bind<TOptions>(IConfiguration section) where TOptions : new()
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!string.Equals(section["Enabled"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var options = new TOptions();
        section.Bind(options);
        return (options, string.Equals(section["ReadOnly"], "true", StringComparison.OrdinalIgnoreCase));
    }
}
