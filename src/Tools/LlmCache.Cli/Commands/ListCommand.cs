using System.CommandLine;
using LlmCache.Cli.Manifest;
using Spectre.Console;

namespace LlmCache.Cli.Commands;

/// <summary><c>llmcache list</c>: the cached methods of a build, from its manifest, called yet or not.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext context)
    {
        Option<string> manifest = CommonOptions.Manifest();
        var command = new Command("list", "List the cached methods of a build (from llmcache.manifest.json): id, TTL, tags, namespace, call sites.")
        {
            manifest,
        };
        command.SetAction((parse, ct) => context.RunAsync(async () =>
        {
            BuildManifest loaded = BuildManifest.Load(parse.GetValue(manifest));
            if (parse.GetValue(CommonOptions.Json))
            {
                await context.WriteJsonAsync(new { manifest = loaded.Source, assembly = loaded.Assembly, methods = loaded.Methods }).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().Title($"{Markup.Escape(loaded.Assembly ?? "?")}: {loaded.Methods.Count} cached method(s)")
                .AddColumns("Method", "Fingerprint", "TTL", "Tags", "Namespace", "Fail-safe", "Call sites");
            foreach (ManifestMethod m in loaded.Methods)
            {
                table.AddRow(Markup.Escape(m.Name), m.Fingerprint, m.Ttl ?? "(default)", Markup.Escape(string.Join(", ", m.Tags)),
                    Markup.Escape(m.Namespace ?? ""), m.FailSafe ?? "", m.CallSites.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            context.Console.Write(table);
            context.Console.WriteLine(loaded.Source);
            return ExitCodes.Success;
        }));
        return command;
    }
}
