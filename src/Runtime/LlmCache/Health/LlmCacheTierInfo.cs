using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// One tier of a runtime's chain (<see cref="LlmCacheRuntime.Tiers"/>), as an operator sees it: its
/// name, the state of its circuit breaker, and a probe that tells whether it answers. Health checks
/// and the operator endpoints are built on it.
/// </summary>
public sealed class LlmCacheTierInfo
{
    /// <summary>The key the probe reads. It is never written, so the read is a miss on a healthy tier.</summary>
    public const string ProbeKey = "llmcache:~probe";

    // Enough for any value a tier might hold under the probe key, small enough never to transfer much.
    private const long ProbeMaximumBytes = 1024;

    private readonly IDistributedCache _cache;
    private readonly Func<LlmCacheBreakerState> _breakerState;
    private readonly Func<TimeSpan> _timeout;

    internal LlmCacheTierInfo(string name, int index, IDistributedCache cache, Func<LlmCacheBreakerState> breakerState, Func<TimeSpan> timeout)
    {
        Name = name;
        Index = index;
        _cache = cache;
        _breakerState = breakerState;
        _timeout = timeout;
    }

    /// <summary>The tier's name as the runtime's metrics and logs tag it: its position and type, e.g. <c>0:SqliteCacheTier</c>.</summary>
    public string Name { get; }

    /// <summary>The tier's position in the chain, fastest first.</summary>
    public int Index { get; }

    /// <summary>The tier's type name, e.g. <c>SqliteCacheTier</c> or <c>RedisCacheTier</c>.</summary>
    public string Kind => _cache is ConfiguredTier configured ? configured.Kind : _cache.GetType().Name;

    /// <summary>
    /// How many reads this tier answered with an entry since the runtime started: the hits at this level
    /// (an entry then found stale or removed is counted too; promotions to the tiers above are not reads).
    /// </summary>
    public long Hits => HitsSource?.Invoke() ?? 0;

    internal Func<long>? HitsSource { get; init; }

    /// <summary>The state of the tier's circuit breaker now.</summary>
    public LlmCacheBreakerState BreakerState => _breakerState();

    /// <summary>
    /// Reads <see cref="ProbeKey"/> from the tier directly (a bounded read where the tier supports one),
    /// bounded by the tier timeout (<see cref="TierResilienceOptions.Timeout"/>). The probe bypasses the
    /// circuit breaker, so it tells whether the tier answers even while the breaker is open, and a
    /// failing probe never opens it. It never throws, except when <paramref name="cancellationToken"/>
    /// is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>Whether the tier answered, the latency, and the failure when it did not.</returns>
    public async Task<LlmCacheTierPing> PingAsync(CancellationToken cancellationToken = default)
    {
        TimeSpan timeout = _timeout();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        long started = Stopwatch.GetTimestamp();
        try
        {
            Task read = _cache is ICacheTier tier
                ? tier.GetBoundedAsync(ProbeKey, ProbeMaximumBytes, bounded.Token)
                : _cache.GetAsync(ProbeKey, bounded.Token);
            // WaitAsync bounds a tier that does not honour its token (a stalled connection).
            await read.WaitAsync(bounded.Token).ConfigureAwait(false);
            return new LlmCacheTierPing(Reachable: true, Stopwatch.GetElapsedTime(started), Error: null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new LlmCacheTierPing(Reachable: false, Stopwatch.GetElapsedTime(started),
                new TimeoutException($"The tier did not answer within {timeout.TotalMilliseconds:0} ms."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new LlmCacheTierPing(Reachable: false, Stopwatch.GetElapsedTime(started), ex);
        }
    }
}
