using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// The rules that decide whether an entry may answer a call and whether a result may be stored.
/// Every path (generated calls, streams, refreshes, middleware) asks here, so a rule exists once.
/// </summary>
internal static class EntryPolicy
{
    /// <summary>Whether an entry is alive at <paramref name="nowTicks"/> and young enough for the call's <see cref="CacheControl.MaxAge"/>.</summary>
    public static bool IsFresh(long createdTicks, long expiresTicks, long nowTicks, CacheControl? control) =>
        expiresTicks > nowTicks && !(control?.MaxAge is { } maxAge && nowTicks - createdTicks > maxAge.Ticks);

    /// <summary>
    /// Why a result must not be stored, or null when it may be: the call said no-store, the caller
    /// cancelled (a result produced after that may be partial), or the result is not the final answer
    /// (a background response still in progress carries a continuation token).
    /// </summary>
    public static string? WhyNotStore<T>(T value, CacheControl? control, CancellationToken callerToken)
    {
        if (control is { NoStore: true })
        {
            return SkipReasons.NoStore;
        }
        if (callerToken.IsCancellationRequested)
        {
            return SkipReasons.Cancelled;
        }
        return IsUnfinished(value) ? SkipReasons.Unfinished : null;
    }

    /// <summary>Whether a result (or a stream item) is an answer still in progress rather than the answer.</summary>
    public static bool IsUnfinished<T>(T value) => value switch
    {
        ChatResponse response => response.ContinuationToken is not null,
        ChatResponseUpdate update => update.ContinuationToken is not null,
        ChatResponseUpdate[] updates => Array.Exists(updates, static u => u?.ContinuationToken is not null),
        _ => false,
    };
}
