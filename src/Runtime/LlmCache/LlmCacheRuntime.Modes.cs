using System.Diagnostics;

namespace LlmCache;

// What LlmCacheOptions.Mode changes in a call, in one place. Record is a control: every call skips
// the read, as with NoCache, and stores. Replay is a rule at the start of each path: a call the cache
// cannot answer throws LlmCacheMissException instead of reaching the method; what can be served is
// served as usual.
public sealed partial class LlmCacheRuntime
{
    /// <summary>Whether calls must never reach their method.</summary>
    internal bool Replaying => Options.Mode == LlmCacheMode.Replay;

    /// <summary>
    /// A call's controls under the mode: Record adds <see cref="CacheControl.NoCache"/>; Replay drops
    /// every control but <see cref="CacheControl.Bypass"/> (a recording answers whatever the call's age
    /// limit or no-cache; a bypass cannot be served and throws).
    /// </summary>
    private CacheControl? ForMode(CacheControl? control) => Options.Mode switch
    {
        LlmCacheMode.Record => control is { NoCache: true } ? control : CacheControl.Combine(control, CacheControl.FreshRead),
        LlmCacheMode.Replay => control is { Bypass: true } ? control : null,
        _ => control,
    };

    /// <summary>In Replay, the exception of a call that would run uncached; null otherwise (the call runs).</summary>
    internal LlmCacheMissException? RefuseUncached(LlmCachedMethod method, CacheControl? control) =>
        Replaying ? Snapshots.Uncached(method, WhyUncached(method, control)) : null;

    /// <summary>In Replay, the exception of a call that would run uncached for <paramref name="reason"/> (a middleware's own pass-through); null otherwise.</summary>
    internal LlmCacheMissException? RefuseUncached(LlmCachedMethod method, string reason) =>
        Replaying ? Snapshots.Uncached(method, reason) : null;

    /// <summary>A stream that fails with <paramref name="exception"/> when enumerated, as a stream of the method would.</summary>
    internal static async IAsyncEnumerable<T> Refused<T>(Exception exception)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        yield break;
    }

    private string WhyUncached(LlmCachedMethod method, CacheControl? control)
    {
        if (!Enabled)
        {
            return "the cache is disabled (LlmCacheRuntime.Enabled is false)";
        }
        if (control is { Bypass: true })
        {
            return "the call bypasses the cache (CacheControl.Bypass)";
        }
        return method.SettingsFor(this).Enabled
            ? "its arguments cannot be keyed, or the request must reach the model whatever the cache holds (a continuation token); see the log"
            : "the method is switched off (LlmCacheOptions.DisabledMethods or DisabledTags)";
    }

    /// <summary>The exception of a replayed call nothing was recorded for, explained against the closest recording.</summary>
    internal LlmCacheMissException ReplayMiss(in CallKey key) => Snapshots.Miss(key);

    /// <summary>The exception of a replayed call whose results of <typeparamref name="T"/> can be neither stored nor read.</summary>
    internal LlmCacheMissException NotReplayable<T>(LlmCachedMethod method) =>
        Snapshots.Uncached(method, $"its results of type {TypeNames.Of(typeof(T))} cannot be cached (see the log)");

    /// <summary>A replayed call past the in-process level: the second level and the snapshot tiers answer, or it throws.</summary>
    private async ValueTask<T> ReplayAsync<T>(CallKey callKey, CancellationToken cancellationToken)
    {
        LlmCachedMethod.KeySettings settings = callKey.Settings;
        if (!_store.CanCache<T>(settings))
        {
            throw NotReplayable<T>(settings.Method);
        }
        long started = Stopwatch.GetTimestamp();
        CacheEntry<T>? entry = await _store.ReadServableAsync<T>(callKey, callKey.ToKeyString(), control: null, cancellationToken).ConfigureAwait(false);
        if (entry is null || !_store.TryCopy(settings, entry.Value, out T copy))
        {
            throw ReplayMiss(callKey);
        }
        _recorder.Hit(callKey, started, CacheSource.Distributed, UsageReader<T>.Of(entry.Value));
        return copy;
    }
}
