using System.CommandLine;

namespace LlmCache.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    /// <summary>Machine-readable output on standard output (and nothing else there).</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write the result as JSON (stable camelCase field names) for scripts.",
        Recursive = true,
    };

    public static Option<FileInfo> Config(bool required) => new("--config", "-c")
    {
        Description = "The app's configuration file (appsettings.json): its LlmCache section, with LlmCache:Disk, LlmCache:Redis and LlmCache:S3, says where the tiers are.",
        Required = required,
    };

    public static Option<string> Section() => new("--section")
    {
        Description = "The configuration section LlmCache binds.",
        DefaultValueFactory = _ => "LlmCache",
    };

    public static Option<string> Url() => new("--url")
    {
        Description = "A running app's LlmCache endpoints, e.g. http://localhost:5080/llmcache (app.MapLlmCache).",
    };

    public static Option<string[]> Header() => new("--header", "-H")
    {
        Description = "An HTTP header for --url, 'Name: value' (repeatable), e.g. \"Authorization: Bearer …\".",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string> Manifest() => new("--manifest", "-m")
    {
        Description = "The build manifest: llmcache.manifest.json, the build output folder holding it, or the built assembly. Default: the current folder.",
    };

    public static Option<string[]> TierFilter() => new("--tier", "-t")
    {
        Description = "Only these tiers (disk, redis, s3); default: every tier the configuration enables.",
        AllowMultipleArgumentsPerToken = true,
    };
}
