using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary>Runs one operation per key with a few in flight, with a progress bar when people watch a terminal.</summary>
internal static class BulkWork
{
    /// <summary>What became of the keys: done, or failed (the first failure's message kept).</summary>
    internal sealed record Outcome(int Done, int Failed, string? FirstError);

    public static async Task<Outcome> RunAsync(CliContext context, bool json, string label, IReadOnlyList<string> keys, int concurrency,
        Func<string, CancellationToken, Task<bool>> work, CancellationToken ct)
    {
        int done = 0, failed = 0;
        string? firstError = null;
        async Task RunAll(Action? advanced)
        {
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = ct }, async (key, token) =>
            {
                try
                {
                    if (await work(key, token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref done);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, key + ": " + ex.GetType().Name + ": " + ex.Message, null);
                }
                advanced?.Invoke();
            }).ConfigureAwait(false);
        }
        if (json || !context.Interactive || keys.Count == 0)
        {
            await RunAll(null).ConfigureAwait(false);
        }
        else
        {
            await context.Console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    ProgressTask task = progress.AddTask(Markup.Escape(label), maxValue: keys.Count);
                    await RunAll(() => task.Increment(1)).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        return new Outcome(done, failed, firstError);
    }
}
