namespace LlmCache.Disk;

/// <summary>Options of the SQLite disk tier.</summary>
public sealed class DiskTierOptions
{
    /// <summary>The directory holding the cache file (<c>llmcache.db</c>). Default: <c>.llmcache</c> under the current directory.</summary>
    public string Directory { get; set; } = ".llmcache";

    /// <summary>The largest total size of stored values; past it the least recently used entries go. Default: 1 GiB.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>How often expired entries are deleted and the size cap enforced. Default: 5 minutes.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a statement waits for another process's write lock before it counts as a miss. Default: 2 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a call checks that the file at the path is still the one the tier's open connections
    /// use: a removed file is recreated, a file another process replaced is reopened. Zero checks on
    /// every call. Default: 1 second.
    /// </summary>
    public TimeSpan FileCheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
