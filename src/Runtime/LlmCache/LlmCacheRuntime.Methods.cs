namespace LlmCache;

public sealed partial class LlmCacheRuntime
{
    /// <summary>
    /// Removes every entry of one cached method (of every tenant and argument), in this process and in
    /// every process that shares its tiers: the removal's time is kept with the method's counters (one
    /// read per call) and written to the tiers, and an entry created before it is never served again,
    /// wherever it is found. Calls of the method already running do not store their answers.
    /// </summary>
    /// <param name="methodId">The method's id, as <see cref="MethodStatistics.MethodId"/> and <see cref="CacheOutcome.MethodId"/> report it.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>True when every tier holds the removal's record; false when one could not be reached yet (it gets it later; this process honours the removal meanwhile).</returns>
    public async ValueTask<bool> RemoveMethodAsync(string methodId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodId);
        cancellationToken.ThrowIfCancellationRequested();
        bool complete = await _store.Removals.MethodRemovedAsync(methodId, _recorder.FindCounters(methodId), share: true).ConfigureAwait(false);
        _local.RemoveWhere(method => string.Equals(method.Id, methodId, StringComparison.Ordinal));
        foreach (ICacheInvalidationBus bus in _buses)
        {
            await bus.PublishTagAsync(RemovalLog.MethodRemovalTag + methodId).ConfigureAwait(false);
        }
        return complete;
    }

    // Another process removed a method's entries: honour it here too (the shared record says the same).
    private void OnRemoteMethodRemoved(string methodId)
    {
        _ = _store.Removals.MethodRemovedAsync(methodId, _recorder.FindCounters(methodId), share: false);
        _local.RemoveWhere(method => string.Equals(method.Id, methodId, StringComparison.Ordinal));
    }
}
