using System.CommandLine;
using LlmCache.Cli.Tiers;
using Microsoft.Extensions.Caching.Distributed;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary>
/// <c>llmcache copy</c>: warms one tier from another (a fresh Redis, a new region's S3 prefix, from a
/// disk file or any other tier). Each entry is read with the expiry its tier holds and written with
/// that same absolute expiry, so it keeps its remaining lifetime; expired entries are left behind.
/// The values are copied as stored (HybridCache's payloads), so the target serves them as the source did.
/// </summary>
internal static class CopyCommand
{
    private const long MaximumValueBytes = 512L * 1024 * 1024;

    /// <summary>What a copy did.</summary>
    internal sealed record CopyResult(string From, string To, string Prefix, bool DryRun, int Listed, int Copied, int Skipped, int Failed, long Bytes, string? Error);

    public static Command Create(CliContext context)
    {
        Option<FileInfo> config = CommonOptions.Config(required: true);
        Option<string> section = CommonOptions.Section();
        var from = new Option<string>("--from") { Description = "The source tier of --config: disk, redis or s3.", Required = true };
        var to = new Option<string>("--to") { Description = "The target tier: disk, redis or s3 (of --to-config, else of --config).", Required = true };
        var toConfig = new Option<FileInfo>("--to-config") { Description = "The target's configuration file, e.g. the new region's or the fresh Redis's appsettings.json." };
        var prefix = new Option<string>("--prefix") { Description = "Only keys starting with this; default: the source configuration's namespace (llmcache:{namespace}:)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be copied; write nothing." };
        var concurrency = new Option<int>("--concurrency") { Description = "Copies in flight.", DefaultValueFactory = _ => 8 };
        foreach (Option<string> tierOption in new[] { from, to })
        {
            tierOption.AcceptOnlyFromAmong(TierSet.Names);
        }
        var command = new Command("copy", "Copy entries from one tier to another, each keeping its remaining lifetime (warm a fresh Redis or S3 prefix).")
        {
            config, section, from, to, toConfig, prefix, dryRun, concurrency,
        };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            FileInfo sourceFile = parse.GetValue(config)!;
            FileInfo targetFile = parse.GetValue(toConfig) ?? sourceFile;
            string fromName = parse.GetValue(from)!, toName = parse.GetValue(to)!;
            if (string.Equals(fromName, toName, StringComparison.OrdinalIgnoreCase)
                && string.Equals(sourceFile.FullName, targetFile.FullName, StringComparison.Ordinal))
            {
                throw new CliException("--from and --to name the same tier: give the target its own configuration with --to-config");
            }
            bool dry = parse.GetValue(dryRun);
            using TierSet sources = TierSet.Open(sourceFile, parse.GetValue(section)!, readOnly: true, [fromName]);
            using TierSet targets = TierSet.Open(targetFile, parse.GetValue(section)!, readOnly: dry, [toName]);
            NamedTier source = sources.Tiers[0], target = targets.Tiers[0];
            string keyPrefix = parse.GetValue(prefix) ?? sources.NamespacePrefix;
            bool json = parse.GetValue(CommonOptions.Json);

            var keys = new List<string>();
            try
            {
                await foreach (TierEntryInfo entry in source.Listing.ListAsync(keyPrefix, ct).ConfigureAwait(false))
                {
                    keys.Add(entry.Key);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new CliException($"listing {fromName} failed: {ex.Message}", ExitCodes.Failed, ex);
            }
            int skipped = 0;
            long bytes = 0;
            BulkWork.Outcome outcome = dry ? new BulkWork.Outcome(0, 0, null)
                : await BulkWork.RunAsync(context, json, $"copying {fromName} → {toName}", keys, parse.GetValue(concurrency), async (key, token) =>
                {
                    TierValue? read = await source.Tier.GetBoundedAsync(key, MaximumValueBytes, token).ConfigureAwait(false);
                    if (read is not { } value || value.Expires <= DateTimeOffset.UtcNow)
                    {
                        Interlocked.Increment(ref skipped); // expired or removed since the listing
                        return false;
                    }
                    await target.Tier.SetAsync(key, value.Value, new DistributedCacheEntryOptions { AbsoluteExpiration = value.Expires }, token).ConfigureAwait(false);
                    Interlocked.Add(ref bytes, value.Value.LongLength);
                    return true;
                }, ct).ConfigureAwait(false);
            var result = new CopyResult($"{fromName} ({Path.GetRelativePath(Directory.GetCurrentDirectory(), sourceFile.FullName)})", $"{toName} ({Path.GetRelativePath(Directory.GetCurrentDirectory(), targetFile.FullName)})", keyPrefix, dry, keys.Count,
                outcome.Done, skipped, outcome.Failed, bytes, outcome.FirstError);
            if (json)
            {
                await context.WriteJsonAsync(result).ConfigureAwait(false);
            }
            else
            {
                context.Console.WriteLine(dry
                    ? $"{result.Listed} entries under '{keyPrefix}' in {result.From} would be copied to {result.To}."
                    : $"Copied {result.Copied} of {result.Listed} entries ({StatsCommand.Bytes(bytes)}) from {result.From} to {result.To}; {skipped} expired or gone, {result.Failed} failed.");
                if (result.Error is not null)
                {
                    context.Console.WriteLine("First failure: " + result.Error);
                }
            }
            return result.Failed > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }
}
