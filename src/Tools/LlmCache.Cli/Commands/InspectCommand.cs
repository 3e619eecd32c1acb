using System.CommandLine;
using System.Globalization;
using LlmCache.Cli.Tiers;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary><c>llmcache inspect &lt;key&gt;</c>: one key, tier by tier: present, size, age, expiry.</summary>
internal static class InspectCommand
{
    /// <summary>One tier's view of the key.</summary>
    internal sealed record TierView(string Name, string Kind, bool Present, long? Size, DateTimeOffset? Created, double? AgeSeconds,
        DateTimeOffset? Expires, double? RemainingSeconds, string? Error);

    public static Command Create(CliContext context)
    {
        var key = new Argument<string>("key") { Description = "The cache key, llmcache:{namespace}:{method-id}:…:{sha256} (see CacheProbe, the app's logs, or 'llmcache stats')." };
        Option<FileInfo> config = CommonOptions.Config(required: true);
        Option<string> section = CommonOptions.Section();
        Option<string[]> tiers = CommonOptions.TierFilter();
        var command = new Command("inspect", "Show one key tier by tier: present, size, age, expiry.") { key, config, section, tiers };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            string wanted = parse.GetValue(key)!;
            if (!wanted.StartsWith(CacheKeys.Root, StringComparison.Ordinal))
            {
                throw new CliException($"'{wanted}' is not an LlmCache key (they start with {CacheKeys.Root})");
            }
            using TierSet set = TierSet.Open(parse.GetValue(config)!, parse.GetValue(section)!, readOnly: true,
                parse.GetValue(tiers) is { Length: > 0 } named ? named : null);
            var views = new List<TierView>();
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (NamedTier tier in set.Tiers)
            {
                try
                {
                    TierValue? read = await tier.Tier.GetBoundedAsync(wanted, long.MaxValue / 2, ct).ConfigureAwait(false);
                    if (read is not { } value)
                    {
                        views.Add(new TierView(tier.Name, tier.Kind, false, null, null, null, null, null, null));
                        continue;
                    }
                    DateTimeOffset? created = StoredEntryTimes.Created(value.Value);
                    views.Add(new TierView(tier.Name, tier.Kind, true, value.Value.LongLength, created, created is { } c ? Math.Round((now - c).TotalSeconds, 3) : null,
                        value.Expires, value.Expires is { } e ? Math.Round((e - now).TotalSeconds, 3) : null, null));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    views.Add(new TierView(tier.Name, tier.Kind, false, null, null, null, null, null, ex.GetType().Name + ": " + ex.Message));
                }
            }
            if (parse.GetValue(CommonOptions.Json))
            {
                await context.WriteJsonAsync(new { key = wanted, method = CacheKeys.MethodId(wanted), tiers = views }).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().Title(Markup.Escape(wanted)).AddColumns("Tier", "Present", "Size", "Age", "Expires", "Remaining", "Error");
                foreach (TierView v in views)
                {
                    table.AddRow(v.Name, v.Present ? "[green]yes[/]" : "no", v.Size is { } s ? StatsCommand.Bytes(s) : "",
                        v.AgeSeconds is { } a ? Duration(a) : "", v.Expires?.ToString("u", CultureInfo.InvariantCulture) ?? (v.Present ? "never" : ""),
                        v.RemainingSeconds is { } r ? Duration(r) : "", Markup.Escape(v.Error ?? ""));
                }
                context.Console.Write(table);
            }
            return views.Any(v => v.Error is not null) ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    private static string Duration(double seconds) => TimeSpan.FromSeconds(Math.Max(0, seconds)).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture);
}
