namespace LlmCache;

/// <summary>Options of a <see cref="SnapshotTier"/>.</summary>
public sealed class SnapshotTierOptions
{
    /// <summary>
    /// The folder of the snapshot files, meant to be committed with the tests (e.g. <c>Tests/Snapshots</c>);
    /// a relative path is resolved against the current directory. Created on the first write.
    /// </summary>
    public string Directory { get; set; } = "Snapshots";

    /// <summary>
    /// Writes the request's keyed arguments (prompts, options, tools …) as readable JSON next to the
    /// answer, so a reviewer sees what was asked. Off by default: it stores prompts in the repository.
    /// Values without a readable form (an object the key writer walks without naming its parts, bytes)
    /// appear as placeholders; the digests always cover everything.
    /// </summary>
    public bool IncludeArguments { get; set; }

    /// <summary>
    /// How many answers one file keeps when the same request is recorded several times in one run (a
    /// test asking twice at temperature &gt; 0): replayed in the order they were recorded, round robin.
    /// Answers past this number are not kept. Identical answers are kept once. Default: 16.
    /// </summary>
    public int MaxSamples { get; set; } = 16;

    /// <summary>The largest snapshot file read; a larger one is a miss. Default: 16 MiB.</summary>
    public long MaximumFileBytes { get; set; } = 16L * 1024 * 1024;
}
