using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCache;

/// <summary>Registers LlmCache in a service collection.</summary>
public static class LlmCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="LlmCacheRuntime"/> built from <see cref="LlmCacheOptions"/>
    /// (and the container's <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> when present).
    /// Types that take an <see cref="LlmCacheRuntime"/> in their constructor have their cached calls
    /// served by it; with <see cref="LlmCacheOptions.UseAsDefault"/> it also becomes
    /// <see cref="LlmCacheRuntime.Default"/> when first resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional changes to the options.</param>
    /// <returns>A builder for further LlmCache registrations.</returns>
    public static LlmCacheBuilder AddLlmCache(this IServiceCollection services, Action<LlmCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<LlmCacheOptions> options = services.AddOptions<LlmCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(static provider =>
        {
            IOptionsMonitor<LlmCacheOptions> monitor = provider.GetRequiredService<IOptionsMonitor<LlmCacheOptions>>();
            // The runtime owns its copy: a reload is applied through Reconfigure, validated, never half-way.
            LlmCacheOptions settings = monitor.CurrentValue.CopyReloadable(new LlmCacheOptions
            {
                SerializerOptions = monitor.CurrentValue.SerializerOptions,
                ResultTtl = monitor.CurrentValue.ResultTtl,
                UseAsDefault = monitor.CurrentValue.UseAsDefault,
                Tiers = monitor.CurrentValue.Tiers,
                TierResilience = monitor.CurrentValue.TierResilience,
                Semantic = new SemanticCacheOptions
                {
                    EmbeddingGenerator = monitor.CurrentValue.Semantic.EmbeddingGenerator,
                    Index = monitor.CurrentValue.Semantic.Index,
                    MaxEntriesPerPartition = monitor.CurrentValue.Semantic.MaxEntriesPerPartition,
                    AnswersAgree = monitor.CurrentValue.Semantic.AnswersAgree,
                },
            });
            var runtime = new LlmCacheRuntime(settings, provider.GetService<TimeProvider>(), provider.GetService<ILoggerFactory>(),
                provider.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            runtime.FollowConfiguration(monitor);
            // Resolved on the first semantic call, not here: the generator may itself be cached by this runtime.
            runtime.EmbeddingGeneratorSource ??= () => provider.GetService<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>();
            if (settings.UseAsDefault)
            {
                LlmCacheRuntime.Default = runtime;
            }
            return runtime;
        });
        return new LlmCacheBuilder(services);
    }

    /// <summary>
    /// Registers LlmCache with options bound from <paramref name="configuration"/> (usually the section
    /// <c>LlmCache</c>); when the configuration reloads, the runtime follows without a restart
    /// (namespace, default TTL, the global switch, <c>DefaultOff</c>, <c>MemoryTtl</c>, disabled methods and tags);
    /// tiers added from their own sections (<c>AddDiskTier(IConfiguration)</c> …) follow theirs (see <see cref="ConfiguredTier"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding LlmCache's options.</param>
    /// <param name="configure">Optional changes applied after binding.</param>
    /// <returns>A builder for further LlmCache registrations.</returns>
    public static LlmCacheBuilder AddLlmCache(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration,
        Action<LlmCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmCacheOptions>().Bind(configuration);
        return services.AddLlmCache(configure);
    }
}
