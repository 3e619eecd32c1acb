using System.Collections.Concurrent;

namespace LlmCache;

/// <summary>
/// The method calls a runtime lets finish after their caller was answered: a call that outlived its
/// soft timeout, and eager refreshes. At most one per key (a second caller is answered by the stale
/// entry meanwhile), at most a configured number at once, visible (<see cref="Pending"/>), and awaited
/// by <see cref="FlushAsync"/> and by the runtime's disposal.
/// </summary>
internal sealed class BackgroundRefreshes
{
    private readonly ConcurrentDictionary<CallKey, Task> _running = new(CallKeyComparer.Instance);
    private readonly int _limit;

    public BackgroundRefreshes(int limit) => _limit = limit;

    /// <summary>Background calls running now.</summary>
    public int Pending => _running.Count;

    /// <summary>Whether a background call for <paramref name="key"/> is running.</summary>
    public bool IsRunning(in CallKey key) => _running.ContainsKey(key);

    /// <summary>
    /// Runs <paramref name="work"/> in the background for <paramref name="key"/>, unless one already runs
    /// for it or <paramref name="bounded"/> and the limit is reached. The work must not throw.
    /// </summary>
    public bool TryRun(in CallKey key, Func<Task> work, bool bounded)
    {
        if (bounded && _running.Count >= _limit)
        {
            return false;
        }
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task task = RunAsync(start.Task, work);
        if (!_running.TryAdd(key, task))
        {
            return false; // the work never starts: its gate is never opened
        }
        CallKey added = key;
        _ = task.ContinueWith(static (_, state) =>
        {
            var (running, k, t) = ((ConcurrentDictionary<CallKey, Task>, CallKey, Task))state!;
            running.TryRemove(new KeyValuePair<CallKey, Task>(k, t));
        }, (_running, added, task), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        start.SetResult();
        return true;
    }

    private static async Task RunAsync(Task gate, Func<Task> work)
    {
        await gate.ConfigureAwait(false);
        await work().ConfigureAwait(false);
    }

    /// <summary>Waits for every background call running now, at most <paramref name="limit"/>.</summary>
    public async Task FlushAsync(TimeSpan limit)
    {
        Task[] running = [.. _running.Values];
        if (running.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(limit)).ConfigureAwait(false);
        }
    }
}
