using System.CommandLine;
using LlmCache.Cli.Manifest;
using LlmCache.Cli.Tiers;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary>
/// <c>llmcache purge</c>: deletes entries directly in the tiers of an app's configuration, by method, tag,
/// tenant or namespace. Tags and tenants are removed through the runtime's own API first
/// (<see cref="LlmCacheRuntime.RemoveByTagAsync"/>, <see cref="LlmCacheRuntime.ForgetTenantAsync{TTenant}"/>), which
/// writes the removal's record to the shared tiers so that running apps stop serving those entries at
/// once; then the entries themselves are deleted, found by listing the tiers (a tag's methods come from
/// the build manifest, a tenant's entries from their key segment).
/// </summary>
internal static class PurgeCommand
{
    /// <summary>One tier's part of a purge.</summary>
    internal sealed record TierPurge(string Name, string Kind, int Matched, int Deleted, int Failed, string? Error);

    /// <summary>What a purge did.</summary>
    internal sealed record PurgeResult(string By, string Value, string Namespace, bool DryRun, bool? RemovalRecorded,
        IReadOnlyList<string> Methods, IReadOnlyList<TierPurge> Tiers)
    {
        public int Deleted => Tiers.Sum(t => t.Deleted);
    }

    public static Command Create(CliContext context)
    {
        Option<FileInfo> config = CommonOptions.Config(required: false);
        Option<string> section = CommonOptions.Section();
        Option<string[]> tiers = CommonOptions.TierFilter();
        Option<string> manifest = CommonOptions.Manifest();
        var method = new Option<string>("--method") { Description = "A method id (Type.Method.fingerprint) or name (Type.Method: every signature), as 'llmcache list' shows." };
        var tag = new Option<string>("--tag") { Description = "A tag of [LlmCached(Tags = …)]: its methods come from the build manifest." };
        var tenant = new Option<string>("--tenant") { Description = "A tenant's value, as the cached methods receive it." };
        var tenantType = new Option<string>("--tenant-type")
        {
            Description = "The tenant parameter's type: string, int, long or guid.",
            DefaultValueFactory = _ => "string",
        };
        tenantType.AcceptOnlyFromAmong("string", "int", "long", "guid");
        var @namespace = new Option<string>("--namespace") { Description = "Every entry written under this namespace (e.g. an old one, after a bump)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing, record nothing." };
        var concurrency = new Option<int>("--concurrency") { Description = "Deletions in flight per tier.", DefaultValueFactory = _ => 16 };
        Option<string> url = CommonOptions.Url();
        Option<string[]> headers = CommonOptions.Header();
        var bump = new Option<string>("--bump")
        {
            Description = "With --url: move the running app to this new namespace at once (its POST namespace); every entry of the old one is orphaned.",
        };
        var command = new Command("purge",
            "Delete entries in the tiers (--config) by --method, --tag, --tenant or --namespace (exactly one); or through a running app (--url) by --tag, --tenant or --bump.")
        {
            config, section, tiers, manifest, method, tag, tenant, tenantType, @namespace, dryRun, concurrency, url, headers, bump,
        };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            if (parse.GetValue(url) is { } address)
            {
                return await PurgeThroughAppAsync(context, parse, address, parse.GetValue(headers) ?? [],
                    parse.GetValue(method), parse.GetValue(tag), parse.GetValue(tenant), parse.GetValue(@namespace), parse.GetValue(bump), ct).ConfigureAwait(false);
            }
            if (parse.GetValue(bump) is not null)
            {
                throw new CliException("--bump changes a running app's namespace: it needs --url");
            }
            if (parse.GetValue(config) is null)
            {
                throw new CliException("purge needs --config (the tiers) or --url (a running app)");
            }
            (string By, string Value)[] selectors = [.. new[] { ("method", parse.GetValue(method)), ("tag", parse.GetValue(tag)),
                ("tenant", parse.GetValue(tenant)), ("namespace", parse.GetValue(@namespace)) }
                .Where(s => s.Item2 is not null).Select(s => (s.Item1, s.Item2!))];
            if (selectors.Length != 1)
            {
                throw new CliException("purge needs exactly one of --method, --tag, --tenant, --namespace");
            }
            (string by, string value) = selectors[0];
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new CliException($"--{by} cannot be empty");
            }
            if (by == "namespace" && !LlmCacheRuntime.IsValidNamespace(value))
            {
                throw new CliException($"'{value}' is not a valid namespace (1-64 letters, digits, '.', '_' or '-')");
            }
            bool dry = parse.GetValue(dryRun);
            using TierSet set = TierSet.Open(parse.GetValue(config)!, parse.GetValue(section)!, readOnly: dry,
                parse.GetValue(tiers) is { Length: > 0 } named ? named : null);
            string prefix = set.NamespacePrefix;
            Func<string, bool> matches;
            bool? recorded = null;
            string[] methods = [];
            switch (by)
            {
                case "method":
                    prefix = set.NamespacePrefix + value;
                    matches = key => CacheKeys.BelongsTo(key, set.NamespacePrefix, value);
                    methods = [value];
                    break;
                case "namespace":
                    prefix = CacheKeys.Root + value + ":";
                    matches = _ => true;
                    break;
                case "tag":
                {
                    // Without a manifest (none given, none here) only the removal record is written.
                    string? manifestPath = parse.GetValue(manifest);
                    BuildManifest? loaded = manifestPath is null && !File.Exists(BuildManifest.FileName) ? null : BuildManifest.Load(manifestPath);
                    methods = loaded is null ? [] : [.. loaded.Tagged(value).Select(m => m.Id)];
                    matches = key => methods.Any(m => CacheKeys.BelongsTo(key, set.NamespacePrefix, m));
                    if (!dry)
                    {
                        await using LlmCacheRuntime runtime = set.CreateRuntime();
                        recorded = await runtime.RemoveByTagAsync(value, ct).ConfigureAwait(false);
                    }
                    if (methods.Length == 0)
                    {
                        prefix = "";
                        matches = _ => false;
                    }
                    break;
                }
                default:
                {
                    await using LlmCacheRuntime runtime = set.CreateRuntime();
                    string segment = parse.GetValue(tenantType) switch
                    {
                        "int" => int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out int i) ? runtime.TenantKeySegment(i) : throw BadTenant(value, "int"),
                        "long" => long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out long l) ? runtime.TenantKeySegment(l) : throw BadTenant(value, "long"),
                        "guid" => Guid.TryParse(value, out Guid g) ? runtime.TenantKeySegment(g) : throw BadTenant(value, "guid"),
                        _ => runtime.TenantKeySegment(value),
                    };
                    if (!dry)
                    {
                        recorded = parse.GetValue(tenantType) switch
                        {
                            "int" => await runtime.ForgetTenantAsync(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), ct).ConfigureAwait(false),
                            "long" => await runtime.ForgetTenantAsync(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture), ct).ConfigureAwait(false),
                            "guid" => await runtime.ForgetTenantAsync(Guid.Parse(value), ct).ConfigureAwait(false),
                            _ => await runtime.ForgetTenantAsync(value, ct).ConfigureAwait(false),
                        };
                    }
                    matches = key => CacheKeys.HasTenant(key, segment);
                    break;
                }
            }
            bool json = parse.GetValue(CommonOptions.Json);
            var results = new List<TierPurge>();
            foreach (NamedTier tier in set.Tiers)
            {
                results.Add(await PurgeTierAsync(context, json, tier, prefix, matches, dry, parse.GetValue(concurrency), ct).ConfigureAwait(false));
            }
            var result = new PurgeResult(by, value, set.Namespace, dry, recorded, methods, results);
            if (json)
            {
                await context.WriteJsonAsync(result).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().Title($"purge {by} {Markup.Escape(value)}{(dry ? " (dry run)" : "")}").AddColumns("Tier", "Matched", "Deleted", "Failed", "Error");
                foreach (TierPurge t in results)
                {
                    table.AddRow(t.Name, t.Matched.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Deleted.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        t.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(t.Error ?? ""));
                }
                context.Console.Write(table);
                if (recorded is { } r)
                {
                    context.Console.WriteLine(r ? "Removal recorded in every tier: running apps stop serving these entries."
                        : "Removal recorded, but a tier could not be reached: running apps that share it may serve the entries until it is.");
                }
                if (by == "tag" && methods.Length == 0)
                {
                    context.Console.WriteLine($"No method of the manifest carries tag '{value}': only the removal record was written.");
                }
            }
            return results.Any(t => t.Failed > 0 || t.Error is not null) || recorded == false ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    private static CliException BadTenant(string value, string type) => new($"--tenant '{value}' is not a {type}");

    /// <summary>
    /// A removal through the app's own endpoints (<c>DELETE tags/{tag}</c>, <c>DELETE tenants/{tenant}</c>,
    /// <c>POST namespace</c>): the app's runtime removes from every level and every process sharing its tiers.
    /// </summary>
    private static async Task<int> PurgeThroughAppAsync(CliContext context, ParseResult parse, string url, IReadOnlyList<string> headers,
        string? method, string? tag, string? tenant, string? @namespace, string? bump, CancellationToken ct)
    {
        if (method is not null || @namespace is not null)
        {
            throw new CliException("through --url, purge removes by --tag, --tenant or --bump; by --method or --namespace it needs --config (the tiers)");
        }
        (string By, string? Value)[] given = [.. new[] { ("tag", tag), ("tenant", tenant), ("bump", bump) }.Where(s => s.Item2 is not null)];
        if (given.Length != 1 || string.IsNullOrWhiteSpace(given[0].Value))
        {
            throw new CliException("through --url, purge needs exactly one of --tag, --tenant, --bump");
        }
        (string by, string value) = (given[0].By, given[0].Value!);
        if (by == "bump" && !LlmCacheRuntime.IsValidNamespace(value))
        {
            throw new CliException($"'{value}' is not a valid namespace (1-64 letters, digits, '.', '_' or '-')");
        }
        using System.Text.Json.JsonDocument answer = by switch
        {
            "tag" => await AppEndpoint.SendAsync(HttpMethod.Delete, url, "tags/" + Uri.EscapeDataString(value), null, headers, ct).ConfigureAwait(false),
            "tenant" => await AppEndpoint.SendAsync(HttpMethod.Delete, url, "tenants/" + Uri.EscapeDataString(value), null, headers, ct).ConfigureAwait(false),
            _ => await AppEndpoint.SendAsync(HttpMethod.Post, url, "namespace", new { @namespace = value }, headers, ct).ConfigureAwait(false),
        };
        bool complete = by == "bump" || (answer.RootElement.TryGetProperty("complete", out System.Text.Json.JsonElement c) && c.ValueKind == System.Text.Json.JsonValueKind.True);
        if (parse.GetValue(CommonOptions.Json))
        {
            await context.WriteJsonAsync(new { source = "app", url, by, value, complete }).ConfigureAwait(false);
        }
        else
        {
            context.Console.WriteLine(by == "bump"
                ? $"The app now writes and reads namespace '{value}'; entries of the old one are orphaned (delete them with purge --config … --namespace OLD)."
                : complete ? $"The app removed {by} '{value}' from every level."
                : $"The app removed {by} '{value}', but a tier could not be reached yet: it retries in the background and serves none of those entries meanwhile.");
        }
        return complete ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static async Task<TierPurge> PurgeTierAsync(CliContext context, bool json, NamedTier tier, string prefix, Func<string, bool> matches,
        bool dry, int concurrency, CancellationToken ct)
    {
        var keys = new List<string>();
        try
        {
            if (prefix.Length > 0)
            {
                await foreach (TierEntryInfo entry in tier.Listing.ListAsync(prefix, ct).ConfigureAwait(false))
                {
                    if (matches(entry.Key))
                    {
                        keys.Add(entry.Key);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new TierPurge(tier.Name, tier.Kind, keys.Count, 0, 0, "listing failed: " + ex.Message);
        }
        if (dry)
        {
            return new TierPurge(tier.Name, tier.Kind, keys.Count, 0, 0, null);
        }
        BulkWork.Outcome outcome = await BulkWork.RunAsync(context, json, $"purging {tier.Name}", keys, concurrency, async (key, token) =>
        {
            await tier.Tier.RemoveAsync(key, token).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        return new TierPurge(tier.Name, tier.Kind, keys.Count, outcome.Done, outcome.Failed, outcome.FirstError);
    }
}
