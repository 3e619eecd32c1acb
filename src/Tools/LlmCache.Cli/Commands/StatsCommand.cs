using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmCache.Cli.Tiers;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary>
/// <c>llmcache stats</c>: a running app's figures (<c>GET {url}/stats</c>), or what the tiers of its
/// configuration hold (entries and bytes per tier and method, counted by listing them).
/// </summary>
internal static class StatsCommand
{
    /// <summary>One method's entries in one tier.</summary>
    internal sealed record MethodEntries(string Method, long Entries, long Bytes);

    /// <summary>What one tier holds.</summary>
    internal sealed record TierEntries(string Name, string Kind, long Entries, long Bytes, long RemovalRecords, long OtherNamespaces,
        IReadOnlyList<MethodEntries> Methods);

    public static Command Create(CliContext context)
    {
        Option<string> url = CommonOptions.Url();
        Option<string[]> headers = CommonOptions.Header();
        Option<FileInfo> config = CommonOptions.Config(required: false);
        Option<string> section = CommonOptions.Section();
        Option<string[]> tiers = CommonOptions.TierFilter();
        var command = new Command("stats", "A running app's cache figures (--url), or what the tiers of its configuration hold (--config).")
        {
            url, headers, config, section, tiers,
        };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            bool json = parse.GetValue(CommonOptions.Json);
            if (parse.GetValue(url) is { } address)
            {
                using JsonDocument stats = await AppEndpoint.GetAsync(address, "stats", parse.GetValue(headers) ?? [], ct).ConfigureAwait(false);
                if (json)
                {
                    await context.WriteJsonAsync(new { source = "app", url = address, stats = stats.RootElement }).ConfigureAwait(false);
                }
                else
                {
                    WriteApp(context.Console, address, stats.RootElement);
                }
                return ExitCodes.Success;
            }
            FileInfo file = parse.GetValue(config) ?? throw new CliException("stats needs --url (a running app) or --config (its tiers)");
            string[]? only = parse.GetValue(tiers) is { Length: > 0 } named ? named : null;
            using TierSet set = TierSet.Open(file, parse.GetValue(section)!, readOnly: true, only);
            var results = new List<TierEntries>();
            foreach (NamedTier tier in set.Tiers)
            {
                results.Add(await CountAsync(tier, set.NamespacePrefix, ct).ConfigureAwait(false));
            }
            if (json)
            {
                await context.WriteJsonAsync(new { source = "tiers", config = set.Source, @namespace = set.Namespace, tiers = results }).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            foreach (TierEntries tier in results)
            {
                var table = new Table().Title($"{tier.Name} ({tier.Kind}), namespace {Markup.Escape(set.Namespace)}: {tier.Entries} entries, {Bytes(tier.Bytes)}")
                    .AddColumns("Method", "Entries", "Bytes");
                foreach (MethodEntries m in tier.Methods)
                {
                    table.AddRow(Markup.Escape(m.Method), Number(m.Entries), Bytes(m.Bytes));
                }
                context.Console.Write(table);
                context.Console.WriteLine($"  removal records: {tier.RemovalRecords}; entries of other namespaces: {tier.OtherNamespaces}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<TierEntries> CountAsync(NamedTier tier, string namespacePrefix, CancellationToken ct)
    {
        var methods = new SortedDictionary<string, (long Entries, long Bytes)>(StringComparer.Ordinal);
        long records = 0, others = 0, entries = 0, bytes = 0;
        try
        {
            await foreach (TierEntryInfo entry in tier.Listing.ListAsync(CacheKeys.Root, ct).ConfigureAwait(false))
            {
                if (!entry.Key.StartsWith(namespacePrefix, StringComparison.Ordinal))
                {
                    others++;
                    continue;
                }
                if (CacheKeys.MethodId(entry.Key) is not { } method)
                {
                    records++;
                    continue;
                }
                methods.TryGetValue(method, out (long Entries, long Bytes) sum);
                methods[method] = (sum.Entries + 1, sum.Bytes + (entry.Size ?? 0));
                entries++;
                bytes += entry.Size ?? 0;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not CliException)
        {
            throw new CliException($"{tier.Name}: {ex.Message}", ExitCodes.Failed, ex);
        }
        return new TierEntries(tier.Name, tier.Kind, entries, bytes, records, others,
            [.. methods.Select(m => new MethodEntries(m.Key, m.Value.Entries, m.Value.Bytes))]);
    }

    private static void WriteApp(IAnsiConsole console, string url, JsonElement stats)
    {
        var totals = new Table().Title("LlmCache at " + Markup.Escape(url)).AddColumns("Total", "Value");
        if (stats.TryGetProperty("totals", out JsonElement t))
        {
            foreach (JsonProperty p in t.EnumerateObject())
            {
                totals.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Value.ToString()));
            }
        }
        foreach (string name in new[] { "hitRate", "currency", "pendingRefreshes" })
        {
            if (stats.TryGetProperty(name, out JsonElement value))
            {
                totals.AddRow(name, Markup.Escape(name == "hitRate" && value.ValueKind == JsonValueKind.Number
                    ? value.GetDouble().ToString("P1", CultureInfo.InvariantCulture) : value.ToString()));
            }
        }
        console.Write(totals);
        if (stats.TryGetProperty("methods", out JsonElement methods) && methods.ValueKind == JsonValueKind.Array)
        {
            var table = new Table().AddColumns("Method", "Hits (memory)", "Hits (tiers)", "Misses", "Hit rate", "Tokens saved", "Cost saved");
            foreach (JsonElement m in methods.EnumerateArray())
            {
                table.AddRow(Markup.Escape(Text(m, "methodId")), Text(m, "memoryHits"), Text(m, "distributedHits"), Text(m, "misses"),
                    m.TryGetProperty("hitRate", out JsonElement rate) && rate.ValueKind == JsonValueKind.Number ? rate.GetDouble().ToString("P1", CultureInfo.InvariantCulture) : "",
                    (Long(m, "inputTokensSaved") + Long(m, "outputTokensSaved")).ToString("N0", CultureInfo.InvariantCulture), Text(m, "costSaved"));
            }
            console.Write(table);
        }
        if (stats.TryGetProperty("tiers", out JsonElement tiers) && tiers.ValueKind == JsonValueKind.Array)
        {
            var table = new Table().AddColumns("Tier", "Breaker");
            foreach (JsonElement tier in tiers.EnumerateArray())
            {
                table.AddRow(Markup.Escape(Text(tier, "name")), Markup.Escape(Text(tier, "breaker")));
            }
            console.Write(table);
        }
    }

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? v.ToString() : "";

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.TryGetInt64(out long n) ? n : 0;

    internal static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Bytes(long value) => value switch
    {
        < 1024 => value.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (value / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (value / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };
}
