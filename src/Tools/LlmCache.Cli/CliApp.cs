using System.CommandLine;
using LlmCache.Cli.Commands;

namespace LlmCache.Cli;

/// <summary>The <c>llmcache</c> command line: its commands, and how failures become exit codes.</summary>
internal static class CliApp
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, interactive);
        Command root = Build(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parse.Errors)
            {
                await error.WriteLineAsync("llmcache: " + parseError.Message).ConfigureAwait(false);
            }
            await error.WriteLineAsync("Run 'llmcache --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static Command Build(CliContext context)
    {
        // Named after the tool's command (RootCommand would name it after the assembly, LlmCache.Cli).
        var root = new Command("llmcache", "Operate LlmCache: look at a running app's cache, list cached methods, inspect, purge and copy entries in the tiers.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(CommonOptions.Json);
        root.Subcommands.Add(StatsCommand.Create(context));
        root.Subcommands.Add(PingCommand.Create(context));
        root.Subcommands.Add(ListCommand.Create(context));
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(PurgeCommand.Create(context));
        root.Subcommands.Add(CopyCommand.Create(context));
        return root;
    }
}

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The operation failed: an app or a tier did not answer, or answered an error.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: unknown option, missing or unreadable file, a tier not configured.</summary>
    public const int BadInput = 2;
}

/// <summary>A failure to report in one line, with its exit code.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
