using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmCache.Cli.Tiers;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary><c>llmcache ping</c>: is each tier reachable, and how fast (through the app's <c>GET ping</c>, or directly).</summary>
internal static class PingCommand
{
    /// <summary>One tier's answer (the fields of the app's <c>GET ping</c>).</summary>
    internal sealed record TierPing(string Name, string Kind, bool Reachable, double LatencyMs, string? Breaker, string? Error);

    public static Command Create(CliContext context)
    {
        Option<string> url = CommonOptions.Url();
        Option<string[]> headers = CommonOptions.Header();
        Option<FileInfo> config = CommonOptions.Config(required: false);
        Option<string> section = CommonOptions.Section();
        Option<string[]> tiers = CommonOptions.TierFilter();
        var command = new Command("ping", "Probe each tier: reachable, latency (through a running app with --url, or directly with --config). Exit code 1 when one is down.")
        {
            url, headers, config, section, tiers,
        };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            var results = new List<TierPing>();
            string source;
            if (parse.GetValue(url) is { } address)
            {
                source = address;
                using JsonDocument ping = await AppEndpoint.GetAsync(address, "ping", parse.GetValue(headers) ?? [], ct).ConfigureAwait(false);
                if (ping.RootElement.TryGetProperty("tiers", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement t in list.EnumerateArray())
                    {
                        results.Add(new TierPing(Str(t, "name") ?? "", Str(t, "kind") ?? "", t.TryGetProperty("reachable", out JsonElement r) && r.ValueKind == JsonValueKind.True,
                            t.TryGetProperty("latencyMs", out JsonElement l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : 0, Str(t, "breaker"), Str(t, "error")));
                    }
                }
            }
            else
            {
                FileInfo file = parse.GetValue(config) ?? throw new CliException("ping needs --url (a running app) or --config (its tiers)");
                using TierSet set = TierSet.Open(file, parse.GetValue(section)!, readOnly: true, parse.GetValue(tiers) is { Length: > 0 } named ? named : null);
                source = set.Source;
                foreach (NamedTier tier in set.Tiers)
                {
                    results.Add(await ProbeAsync(tier, set.NamespacePrefix, ct).ConfigureAwait(false));
                }
            }
            if (parse.GetValue(CommonOptions.Json))
            {
                await context.WriteJsonAsync(new { source, tiers = results }).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().Title("ping " + Markup.Escape(source)).AddColumns("Tier", "Kind", "Reachable", "Latency", "Breaker", "Error");
                foreach (TierPing p in results)
                {
                    table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Kind), p.Reachable ? "[green]yes[/]" : "[red]no[/]",
                        p.LatencyMs.ToString("0.0", CultureInfo.InvariantCulture) + " ms", Markup.Escape(p.Breaker ?? ""), Markup.Escape(p.Error ?? ""));
                }
                context.Console.Write(table);
            }
            return results.All(r => r.Reachable) ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    /// <summary>One bounded read of a key no entry has: a miss within the timeout is an answer.</summary>
    private static async Task<TierPing> ProbeAsync(NamedTier tier, string namespacePrefix, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await tier.Tier.GetBoundedAsync(namespacePrefix + "~ping", 1, timeout.Token).ConfigureAwait(false);
            return new TierPing(tier.Name, tier.Kind, true, clock.Elapsed.TotalMilliseconds, null, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return new TierPing(tier.Name, tier.Kind, false, clock.Elapsed.TotalMilliseconds, null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;
}
