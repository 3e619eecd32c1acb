using Microsoft.Extensions.DependencyInjection;

namespace LlmCache;

/// <summary>Returned by <c>AddLlmCache</c> for chaining tier and option registrations.</summary>
public sealed class LlmCacheBuilder
{
    internal LlmCacheBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the cache is registered in.</summary>
    public IServiceCollection Services { get; }
}
