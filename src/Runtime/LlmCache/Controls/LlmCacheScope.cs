namespace LlmCache;

/// <summary>
/// Ambient cache controls that flow across <c>await</c> (an <see cref="AsyncLocal{T}"/>): every cached
/// call made inside the scope, directly or deep in a call chain, sees them. Scopes nest; two parallel
/// flows never see each other's.
/// </summary>
public static class LlmCacheScope
{
    private static readonly AsyncLocal<Frame?> s_current = new();

    /// <summary>Applies <paramref name="control"/> to every cached call until the returned scope is disposed.</summary>
    /// <param name="control">The controls; combined with any enclosing scope's (the stricter wins).</param>
    public static IDisposable With(CacheControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        control.Validate();
        Frame? previous = s_current.Value;
        s_current.Value = new Frame(CacheControl.Combine(previous?.Control, control), previous?.Probe, previous?.Tenant);
        return new Restorer(previous);
    }

    /// <summary>
    /// Partitions every cached call made in this flow by <paramref name="tenant"/> until the returned
    /// scope is disposed: an answer stored for one tenant is never served to another, and
    /// <see cref="LlmCacheRuntime.ForgetTenantAsync{TTenant}"/> with the same string removes them all.
    /// A method that declares its own tenant parameter (<see cref="LlmCachedAttribute.Tenant"/>) is
    /// partitioned by that parameter instead. Set it where the request's tenant is known (an ASP.NET
    /// Core middleware, a message handler), and the chat and embedding middleware and every
    /// <c>[LlmCached]</c> call below it are isolated.
    /// </summary>
    /// <param name="tenant">The tenant's identity; hashed (with <see cref="LlmCacheOptions.KeySecret"/> when set), never stored.</param>
    public static IDisposable ForTenant(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        Frame? previous = s_current.Value;
        s_current.Value = new Frame(previous?.Control, previous?.Probe, tenant);
        return new Restorer(previous);
    }

    /// <summary>Bypasses the cache for every call until the returned scope is disposed.</summary>
    public static IDisposable Disable() => With(new CacheControl { Bypass = true });

    /// <summary>Starts recording the outcome of every cached call made in this flow until the probe is disposed.</summary>
    public static CacheProbe Observe()
    {
        Frame? previous = s_current.Value;
        var probe = new CacheProbe(previous);
        s_current.Value = new Frame(previous?.Control, probe, previous?.Tenant);
        return probe;
    }

    internal static CacheControl? CurrentControl => s_current.Value?.Control;

    internal static CacheProbe? CurrentProbe => s_current.Value?.Probe;

    /// <summary>The tenant of the innermost <see cref="ForTenant"/> scope, or null.</summary>
    internal static string? CurrentTenant => s_current.Value?.Tenant;

    internal static void Restore(Frame? previous) => s_current.Value = previous;

    internal sealed record Frame(CacheControl? Control, CacheProbe? Probe, string? Tenant);

    private sealed class Restorer(Frame? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Restore(previous);
            }
        }
    }
}
