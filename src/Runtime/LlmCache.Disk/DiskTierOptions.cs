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

    /// <summary>
    /// How long a write waits for another process's write lock before it counts as a failed write.
    /// Reads never wait for it (WAL readers see the last committed state). Keep it below the tier
    /// timeout (<see cref="TierResilienceOptions.Timeout"/>, 500 ms by default). Default: 250 ms.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often the recency of hits (for the least-recently-used eviction) is written, in one
    /// background transaction; a read itself never writes. Default: 5 seconds.
    /// </summary>
    public TimeSpan RecencyFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a call checks that the file at the path is still the one the tier's open connections
    /// use: a removed file is recreated, a file another process replaced is reopened. Zero checks on
    /// every call. Default: 1 second.
    /// </summary>
    public TimeSpan FileCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reads only: the tier never writes to the file — no stores, removals, recency updates or sweeps,
    /// and an unreadable or missing file is a miss rather than recreated (the configuration key
    /// <c>ReadOnly</c> sets it, as does wrapping the tier in <see cref="ReadOnlyTier"/>). Default: false.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// The largest value read through <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
    /// calls; a runtime passes its own limit (<see cref="LlmCacheOptions.MaximumEntryBytes"/>) with every
    /// read. A longer value is a miss, refused in SQL before it is loaded. Default:
    /// <see cref="ICacheTier.DefaultMaximumValueBytes"/>.
    /// </summary>
    public long MaximumValueBytes { get; set; } = ICacheTier.DefaultMaximumValueBytes;

    /// <summary>
    /// The longest this tier keeps an entry (LiteLLM's <c>default_in_redis_ttl</c>, per tier): a write
    /// or promotion asking for a longer life is stored with this one, so the tier drops the entry sooner
    /// (its fail-safe copy too). It never makes an entry live longer, and freshness is still the entry's
    /// own: the runtime serves nothing older than the call's TTL and maximum age. Bound from the tier's
    /// section (<c>MaxTtl: "00:10:00"</c>). Null (the default): the entry's lifetime.
    /// </summary>
    public TimeSpan? MaxTtl { get; set; }
}
