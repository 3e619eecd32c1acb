using LlmCache.Disk;
using LlmCache.Redis;
using LlmCache.S3;
using Microsoft.Extensions.Configuration;

namespace LlmCache.Cli.Tiers;

/// <summary>One tier of an app's chain, opened by the CLI from the app's configuration.</summary>
/// <param name="Name">disk, redis or s3.</param>
/// <param name="Kind">The tier's type name.</param>
/// <param name="Tier">The tier.</param>
/// <param name="Listing">The same tier, listed by key prefix.</param>
internal sealed record NamedTier(string Name, string Kind, ICacheTier Tier, IListableCacheTier Listing);

/// <summary>
/// The tiers an app's configuration describes, opened the way the app opens them: the sections
/// <c>{section}:Disk</c>, <c>{section}:Redis</c> and <c>{section}:S3</c> bound to the tiers' own options
/// (<see cref="TierRegistration.Bind{TOptions}"/>), in chain order. A relative disk directory is taken
/// relative to the configuration file's folder (where the app usually runs).
/// </summary>
internal sealed class TierSet : IDisposable
{
    /// <summary>The tier names, in chain order.</summary>
    public static readonly string[] Names = ["disk", "redis", "s3"];

    private TierSet(string source, string @namespace, string? keySecret, List<NamedTier> tiers)
    {
        Source = source;
        Namespace = @namespace;
        KeySecret = keySecret;
        Tiers = tiers;
    }

    /// <summary>The configuration file.</summary>
    public string Source { get; }

    /// <summary>The app's namespace (<c>{section}:Namespace</c>, default <c>v1</c>).</summary>
    public string Namespace { get; }

    /// <summary>The app's key secret, when it sets one (tenant segments depend on it).</summary>
    public string? KeySecret { get; }

    public IReadOnlyList<NamedTier> Tiers { get; }

    /// <summary>The start of every key of the app's namespace.</summary>
    public string NamespacePrefix => "llmcache:" + Namespace + ":";

    /// <summary>
    /// Opens the tiers of <paramref name="file"/>. With <paramref name="only"/>, exactly those tiers
    /// (a named tier's section must exist, enabled or not); otherwise every enabled one.
    /// <paramref name="readOnly"/> opens them without ever writing (no disk file is created).
    /// </summary>
    public static TierSet Open(FileInfo file, string sectionName, bool readOnly, IReadOnlyCollection<string>? only = null)
    {
        if (!file.Exists)
        {
            throw new CliException($"configuration file not found: {file.FullName}");
        }
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(file.FullName, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            throw new CliException($"cannot read {file.FullName}: {ex.Message}", ExitCodes.BadInput, ex);
        }
        IConfigurationSection section = configuration.GetSection(sectionName);
        string @namespace = section["Namespace"] is { Length: > 0 } ns ? ns : new LlmCacheOptions().Namespace;
        if (!LlmCacheRuntime.IsValidNamespace(@namespace))
        {
            throw new CliException($"{sectionName}:Namespace '{@namespace}' is not a valid namespace");
        }
        foreach (string name in only ?? [])
        {
            if (!Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new CliException($"unknown tier '{name}': use disk, redis or s3");
            }
        }
        string folder = file.DirectoryName ?? Directory.GetCurrentDirectory();
        var tiers = new List<NamedTier>();
        try
        {
            foreach (string name in Names)
            {
                bool wanted = only is null || only.Contains(name, StringComparer.OrdinalIgnoreCase);
                if (!wanted)
                {
                    continue;
                }
                IConfigurationSection tierSection = section.GetSection(name switch { "disk" => "Disk", "redis" => "Redis", _ => "S3" });
                bool enabled = string.Equals(tierSection["Enabled"], "true", StringComparison.OrdinalIgnoreCase);
                if (only is null ? !enabled : !tierSection.Exists())
                {
                    if (only is not null)
                    {
                        throw new CliException($"{file.Name} has no {tierSection.Path} section");
                    }
                    continue;
                }
                tiers.Add(Create(name, tierSection, folder, readOnly));
            }
        }
        catch
        {
            foreach (NamedTier tier in tiers)
            {
                (tier.Tier as IDisposable)?.Dispose();
            }
            throw;
        }
        if (tiers.Count == 0)
        {
            throw new CliException($"{file.Name} enables no tier under {sectionName} (Disk, Redis or S3 with \"Enabled\": true)");
        }
        return new TierSet(file.FullName, @namespace, section["KeySecret"], tiers);
    }

    private static NamedTier Create(string name, IConfigurationSection section, string folder, bool readOnly)
    {
        try
        {
            switch (name)
            {
                case "disk":
                {
                    var options = new DiskTierOptions();
                    section.Bind(options);
                    options.Directory = Path.GetFullPath(options.Directory, folder);
                    options.ReadOnly = readOnly;
                    if (readOnly && !File.Exists(Path.Combine(options.Directory, "llmcache.db")))
                    {
                        throw new CliException($"no disk cache at {Path.Combine(options.Directory, "llmcache.db")}");
                    }
                    var tier = new SqliteCacheTier(options);
                    return new NamedTier(name, nameof(SqliteCacheTier), tier, tier);
                }
                case "redis":
                {
                    var options = new RedisTierOptions();
                    section.Bind(options);
                    options.ReadOnly = readOnly;
                    var tier = new RedisCacheTier(options);
                    return new NamedTier(name, nameof(RedisCacheTier), tier, tier);
                }
                default:
                {
                    var options = new S3TierOptions();
                    section.Bind(options);
                    options.ReadOnly = readOnly;
                    var tier = new S3CacheTier(options);
                    return new NamedTier(name, nameof(S3CacheTier), tier, tier);
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new CliException($"{section.Path}: {ex.Message}", ExitCodes.BadInput, ex);
        }
    }

    /// <summary>A runtime over these tiers, for the removals the runtime itself knows how to make (tags, tenants).</summary>
    public LlmCacheRuntime CreateRuntime()
    {
        var options = new LlmCacheOptions { Namespace = Namespace, KeySecret = KeySecret, UseAsDefault = false };
        foreach (NamedTier tier in Tiers)
        {
            options.Tiers.Add(tier.Tier);
        }
        options.TierResilience.Timeout = TimeSpan.FromSeconds(5);
        return new LlmCacheRuntime(options);
    }

    public void Dispose()
    {
        foreach (NamedTier tier in Tiers)
        {
            (tier.Tier as IDisposable)?.Dispose();
        }
    }
}
