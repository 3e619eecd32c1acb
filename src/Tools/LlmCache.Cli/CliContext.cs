using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace LlmCache.Cli;

/// <summary>Where a command writes: a Spectre console for people, plain JSON for scripts, errors apart.</summary>
internal sealed class CliContext
{
    /// <summary>The JSON written by <c>--json</c>: camelCase names, indented, nulls kept (a field is always there).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public CliContext(TextWriter output, TextWriter error, bool interactive)
    {
        Output = output;
        Error = error;
        Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            Console.Profile.Width = 160;
        }
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>Whether people watch a terminal: progress bars are drawn only then.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }

    public async Task WriteJsonAsync<T>(T value)
    {
        await Output.WriteLineAsync(JsonSerializer.Serialize(value, JsonOptions)).ConfigureAwait(false);
        await Output.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a command body: a <see cref="CliException"/> becomes one line on the error stream and its exit code.</summary>
    public async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await Error.WriteLineAsync("llmcache: " + ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Error.WriteLineAsync("llmcache: cancelled").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // A tier or an app failing in a way no command foresaw: still one line, still a failure code.
            await Error.WriteLineAsync($"llmcache: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
