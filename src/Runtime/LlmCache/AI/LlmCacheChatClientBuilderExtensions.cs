using Microsoft.Extensions.DependencyInjection;

namespace LlmCache;

/// <summary>Adds the LlmCache middleware to a Microsoft.Extensions.AI chat pipeline.</summary>
public static class LlmCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Serves the pipeline's responses and streams from an <see cref="LlmCacheRuntime"/>: the one given,
    /// else the one registered in the pipeline's services (<c>AddLlmCache</c>), else <see cref="LlmCacheRuntime.Default"/>.
    /// </summary>
    /// <param name="builder">The chat pipeline.</param>
    /// <param name="runtime">The runtime that keeps the entries, or null to resolve it as described above.</param>
    /// <param name="configure">Sets this client's TTL, namespace, tags and conversation policy.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static Microsoft.Extensions.AI.ChatClientBuilder UseLlmCache(this Microsoft.Extensions.AI.ChatClientBuilder builder,
        LlmCacheRuntime? runtime = null, Action<LlmCacheChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LlmCacheChatClientOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) =>
            new LlmCacheChatClient(inner, runtime ?? services.GetService<LlmCacheRuntime>() ?? LlmCacheRuntime.Default, options));
    }
}
