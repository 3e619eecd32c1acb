using Microsoft.Extensions.Configuration;

namespace LlmCache;

/// <summary>Adds a <see cref="SnapshotTier"/> to an LlmCache registration.</summary>
public static class SnapshotTierBuilderExtensions
{
    /// <summary>
    /// Adds a snapshot tier: entries as reviewable JSON files in a folder committed with the tests. With
    /// <see cref="LlmCacheOptions.Mode"/> (or <c>LLMCACHE_MODE</c>) <c>record</c> a test run writes them;
    /// with <c>replay</c> a run is answered from them and never calls the model.
    /// </summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="configure">Sets the folder and what the files hold.</param>
    /// <param name="readOnly">Whether this process only reads the files (never records or deletes one).</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddSnapshotTier(this LlmCacheBuilder builder, Action<SnapshotTierOptions>? configure = null, bool readOnly = false)
    {
        var options = new SnapshotTierOptions();
        configure?.Invoke(options);
        return builder.AddTier(_ => new SnapshotTier(options), readOnly);
    }

    /// <summary>Adds the snapshot tier when <paramref name="section"/> says <c>Enabled: true</c> (options bound from it, <c>ReadOnly</c> honoured).</summary>
    /// <param name="builder">The LlmCache builder.</param>
    /// <param name="section">For example <c>configuration.GetSection("LlmCache:Snapshots")</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static LlmCacheBuilder AddSnapshotTier(this LlmCacheBuilder builder, IConfiguration section)
    {
        if (TierRegistration.Bind<SnapshotTierOptions>(section) is not { } bound)
        {
            return builder;
        }
        return builder.AddTier(_ => new SnapshotTier(bound.Options), bound.ReadOnly);
    }
}
