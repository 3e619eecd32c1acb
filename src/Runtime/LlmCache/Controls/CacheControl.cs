namespace LlmCache;

/// <summary>
/// Per-call cache controls (LiteLLM's <c>no-cache</c>, <c>no-store</c>, <c>ttl</c>, <c>s-maxage</c>).
/// They come from an ambient <see cref="LlmCacheScope.With(CacheControl)"/> scope and from a
/// parameter of this type on the cached method, which never enters the key; when both are present
/// the stricter wins (either's NoCache or NoStore, the shorter MaxAge, the parameter's Ttl; the closer <see cref="Use"/>).
/// </summary>
public sealed record CacheControl
{
    /// <summary>Skip the read: always call the method, then store its fresh answer (unless <see cref="NoStore"/>).</summary>
    public bool NoCache { get; init; }

    /// <summary>Never store this call's answer (a hit may still be served).</summary>
    public bool NoStore { get; init; }

    /// <summary>Lifetime of the entry this call writes, overriding the method's TTL.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Accept only an entry younger than this; an older one is refreshed by calling the method.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Bypass the cache entirely for this call: no read, no write.</summary>
    public bool Bypass { get; init; }

    /// <summary>
    /// Opts a call in to the cache (true) or out of it (false, the same as <see cref="Bypass"/>); null
    /// (the default) leaves it to the runtime. Under <see cref="LlmCacheOptions.DefaultOff"/> (LiteLLM's
    /// <c>mode: default_off</c>) only a call whose control or ambient scope says <c>Use = true</c> is
    /// cached; every other call goes straight to its method. The closer setting wins: a call's
    /// parameter over its scope, an inner scope over an outer one.
    /// </summary>
    public bool? Use { get; init; }

    /// <summary>A control that opts the call in to the cache under <see cref="LlmCacheOptions.DefaultOff"/>.</summary>
    public static CacheControl OptIn { get; } = new() { Use = true };

    /// <summary>A control that skips the read but stores the fresh answer.</summary>
    public static CacheControl FreshRead { get; } = new() { NoCache = true };

    /// <summary>A control that never stores the answer.</summary>
    public static CacheControl DoNotStore { get; } = new() { NoStore = true };

    /// <summary>Combines an outer control with an inner one; the stricter setting of each wins.</summary>
    /// <param name="outer">The enclosing control, or null.</param>
    /// <param name="inner">The closer control (a nested scope or the method's parameter), or null.</param>
    public static CacheControl? Combine(CacheControl? outer, CacheControl? inner)
    {
        if (outer is null)
        {
            return inner;
        }
        if (inner is null)
        {
            return outer;
        }
        return new CacheControl
        {
            NoCache = outer.NoCache || inner.NoCache,
            NoStore = outer.NoStore || inner.NoStore,
            Bypass = outer.Bypass || inner.Bypass,
            Use = inner.Use ?? outer.Use,
            Ttl = inner.Ttl ?? outer.Ttl,
            MaxAge = (outer.MaxAge, inner.MaxAge) switch
            {
                ({ } a, { } b) => a < b ? a : b,
                (var a, var b) => a ?? b,
            },
        };
    }

    internal void Validate()
    {
        if (Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), ttl, "A per-call TTL must be positive.");
        }
        if (MaxAge is { } age && age < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAge), age, "A maximum age cannot be negative.");
        }
    }
}
