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
    /// Registers a tier that follows its configuration section (a <see cref="ConfiguredTier"/>): built
    /// from the section when the runtime is created, switched off while the section does not say
    /// <c>Enabled: true</c>, and rebuilt and swapped in, without losing writes in flight, whenever the
    /// section reloads with other values. It keeps its place in the chain whether on or off.
    /// </summary>
    /// <typeparam name="TOptions">The tier's options type, bound from the section.</typeparam>
    /// <typeparam name="TTier">The tier type.</typeparam>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="section">The tier's configuration section, e.g. <c>LlmCache:Disk</c>.</param>
    /// <param name="create">Creates the tier from the container and the bound options (<c>ReadOnly</c> is applied by the caller).</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddConfiguredTier<TOptions, TTier>(this LlmCacheBuilder builder, IConfiguration section,
        Func<IServiceProvider, TOptions, TTier> create)
        where TOptions : new()
        where TTier : class, IDistributedCache
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(create);
        object key = new();
        builder.Services.AddKeyedSingleton<ConfiguredTier>(key, (provider, _) =>
        {
            Microsoft.Extensions.Logging.ILogger? logger = provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger("LlmCache");
            IDistributedCache? Build(IConfiguration current)
            {
                if (Bind<TOptions>(current) is not { } bound)
                {
                    return null;
                }
                TTier tier = create(provider, bound.Options);
                return bound.ReadOnly ? new ReadOnlyTier(tier) : tier;
            }
            string kind = typeof(TTier).Name;
            return typeof(ISemanticIndexLog).IsAssignableFrom(typeof(TTier))
                ? new ConfiguredIndexLogTier(section, Build, kind, logger)
                : new ConfiguredTier(section, Build, kind, logger);
        });
        builder.Services.AddOptions<LlmCacheOptions>().Configure<IServiceProvider>((o, provider) =>
        {
            ConfiguredTier tier = provider.GetRequiredKeyedService<ConfiguredTier>(key);
            if (!o.Tiers.Contains(tier))
            {
                o.Tiers.Add(tier);
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
