using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCache.Disk;

/// <summary>
/// The embedded persistent tier: one SQLite file in WAL mode. Expiry is enforced on read and by a
/// periodic sweep; a size cap evicts the least recently used entries; every write is one transaction,
/// so a process killed mid-write leaves the previous state, never a torn value; several processes
/// may share the file. A file that turns out corrupt or unreadable is moved aside and recreated.
/// </summary>
public sealed partial class SqliteCacheTier : IDistributedCache, IDisposable
{
    private const string FileName = "llmcache.db";

    private readonly DiskTierOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _path;
    private readonly Timer _sweeper;
    private readonly object _recreateLock = new();
    private string _connectionString;

    /// <summary>Opens (or creates) the cache file.</summary>
    /// <param name="options">Where and how large.</param>
    /// <param name="logger">Where corruption and failures are reported.</param>
    /// <param name="timeProvider">The clock for expiry; the system clock when null.</param>
    public SqliteCacheTier(DiskTierOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBytes must be positive.");
        }
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        System.IO.Directory.CreateDirectory(options.Directory);
        _path = Path.GetFullPath(Path.Combine(options.Directory, FileName));
        _connectionString = BuildConnectionString();
        Initialize();
        _sweeper = new Timer(_ => Sweep(), null, options.SweepInterval, options.SweepInterval);
    }

    /// <summary>The cache file.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public byte[]? Get(string key) => Run(connection =>
    {
        using SqliteCommand select = connection.CreateCommand();
        select.CommandText = "SELECT value, expires, accessed FROM entries WHERE key = $key";
        select.Parameters.AddWithValue("$key", key);
        using SqliteDataReader reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        long now = Now();
        if (reader.GetInt64(1) <= now)
        {
            reader.Close();
            Delete(connection, key);
            return null;
        }
        byte[] value = (byte[])reader.GetValue(0);
        long accessed = reader.GetInt64(2);
        reader.Close();
        if (now - accessed > TimeSpan.TicksPerMinute)
        {
            // Recency for the size cap, written at most once a minute per entry.
            using SqliteCommand touch = connection.CreateCommand();
            touch.CommandText = "UPDATE entries SET accessed = $now WHERE key = $key";
            touch.Parameters.AddWithValue("$now", now);
            touch.Parameters.AddWithValue("$key", key);
            touch.ExecuteNonQuery();
        }
        return value;
    });

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        return Task.FromResult(Get(key));
    }

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        long now = Now();
        long expires = Expiry(options, now);
        Run(connection =>
        {
            using SqliteCommand upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO entries (key, value, expires, accessed, size) VALUES ($key, $value, $expires, $now, $size)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires, accessed = excluded.accessed, size = excluded.size
                """;
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$value", value);
            upsert.Parameters.AddWithValue("$expires", expires);
            upsert.Parameters.AddWithValue("$now", now);
            upsert.Parameters.AddWithValue("$size", value.LongLength);
            upsert.ExecuteNonQuery();
            return true;
        });
    }

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Set(key, value, options);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key) => Run(connection => Delete(connection, key));

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    /// <summary>Deletes expired entries, then the least recently used ones while the values exceed <see cref="DiskTierOptions.MaxBytes"/>.</summary>
    public void Sweep() => Run(connection =>
    {
        using (SqliteCommand expired = connection.CreateCommand())
        {
            expired.CommandText = "DELETE FROM entries WHERE expires <= $now";
            expired.Parameters.AddWithValue("$now", Now());
            expired.ExecuteNonQuery();
        }
        using SqliteCommand total = connection.CreateCommand();
        total.CommandText = "SELECT COALESCE(SUM(size), 0) FROM entries";
        long bytes = (long)total.ExecuteScalar()!;
        if (bytes > _options.MaxBytes)
        {
            using SqliteCommand evict = connection.CreateCommand();
            // Oldest access first, until the running total of what stays fits.
            evict.CommandText = """
                DELETE FROM entries WHERE key IN (
                  SELECT key FROM (
                    SELECT key, SUM(size) OVER (ORDER BY accessed DESC, key) AS kept FROM entries
                  ) WHERE kept > $max)
                """;
            evict.Parameters.AddWithValue("$max", _options.MaxBytes);
            evict.ExecuteNonQuery();
        }
        return true;
    });

    /// <summary>Stored values and their total size (for tests and diagnostics).</summary>
    public (long Count, long Bytes) Statistics() => Run(connection =>
    {
        using SqliteCommand count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries";
        using SqliteDataReader reader = count.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _sweeper.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private static long Expiry(DistributedCacheEntryOptions options, long now)
    {
        if (options.AbsoluteExpiration is { } absolute)
        {
            return absolute.UtcTicks;
        }
        TimeSpan? relative = options.AbsoluteExpirationRelativeToNow ?? options.SlidingExpiration;
        return relative is { } r ? now + r.Ticks : DateTime.MaxValue.Ticks;
    }

    private static bool Delete(SqliteConnection connection, string key)
    {
        using SqliteCommand delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM entries WHERE key = $key";
        delete.Parameters.AddWithValue("$key", key);
        return delete.ExecuteNonQuery() > 0;
    }

    private string BuildConnectionString() => new SqliteConnectionStringBuilder
    {
        DataSource = _path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
    }.ToString();

    private void Initialize()
    {
        try
        {
            CreateSchema();
        }
        catch (SqliteException ex) when (IsCorruption(ex))
        {
            MoveAsideAndRecreate(ex);
        }
    }

    private void CreateSchema()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using SqliteCommand setup = connection.CreateCommand();
        setup.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS entries (
              key TEXT NOT NULL PRIMARY KEY,
              value BLOB NOT NULL,
              expires INTEGER NOT NULL,
              accessed INTEGER NOT NULL,
              size INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
            CREATE INDEX IF NOT EXISTS entries_accessed ON entries (accessed);
            PRAGMA quick_check;
            """;
        using SqliteDataReader reader = setup.ExecuteReader();
        do
        {
            while (reader.Read())
            {
                if (reader.FieldCount == 1 && reader.GetValue(0) is string check && check != "ok" && check != "wal")
                {
                    throw new SqliteException("integrity check failed: " + check, 11);
                }
            }
        }
        while (reader.NextResult());
    }

    /// <summary>
    /// Runs one statement group. A corrupt or vanished file is recreated and the group retried; other
    /// failures (a lock held too long) throw, and the runtime's circuit breaker makes them a miss.
    /// </summary>
    private T Run<T>(Func<SqliteConnection, T> work)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                // Pooled connections; DefaultTimeout (from BusyTimeout) bounds the wait for another process's lock.
                using var connection = new SqliteConnection(_connectionString);
                connection.Open();
                return work(connection);
            }
            catch (SqliteException ex) when (IsCorruption(ex) && attempt == 0)
            {
                MoveAsideAndRecreate(ex);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 1 && ex.Message.Contains("no such table", StringComparison.Ordinal) && attempt == 0)
            {
                // The file was removed under us: start a new one.
                MoveAsideAndRecreate(ex);
            }
        }
        // Recreated and still failing: let the runtime's circuit breaker see it.
        using var last = new SqliteConnection(_connectionString);
        last.Open();
        return work(last);
    }

    private static bool IsCorruption(SqliteException ex) => ex.SqliteErrorCode is 11 or 26; // SQLITE_CORRUPT, SQLITE_NOTADB

    private void MoveAsideAndRecreate(Exception cause)
    {
        lock (_recreateLock)
        {
            SqliteConnection.ClearAllPools();
            string aside = _path + ".corrupt-" + _time.GetUtcNow().ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                if (File.Exists(_path + suffix))
                {
                    File.Move(_path + suffix, aside + suffix, overwrite: true);
                }
            }
            Log.DiskRecreated(_logger, _path, aside, cause);
            _connectionString = BuildConnectionString();
            CreateSchema();
        }
    }

    private static partial class Log
    {

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} was unreadable; moved aside to {Aside} and recreated")]
        public static partial void DiskRecreated(ILogger logger, string path, string aside, Exception exception);
    }
}
