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
/// Connections stay open with their statements prepared, a few per tier, so a hit costs one prepared
/// lookup; every <see cref="DiskTierOptions.FileCheckInterval"/> a call checks that the file at the
/// path is still theirs (each file carries a random id): a removed file is recreated, a file another
/// process replaced is reopened.
/// <para>
/// Reads never write and never wait for a writer: the asynchronous members run on the thread pool
/// (the caller's thread only starts them), a read is one SELECT that refuses a value above the read
/// limit in SQL (without loading it) and leaves an expired row to the sweep, and the recency a hit
/// earns is remembered in memory and written in one background transaction every
/// <see cref="DiskTierOptions.RecencyFlushInterval"/> (and before each sweep, so eviction sees it).
/// Writes wait at most <see cref="DiskTierOptions.BusyTimeout"/> for another process's write lock.
/// </para>
/// </summary>
public sealed partial class SqliteCacheTier : ICacheTier, IDisposable
{
    private const int MaxPendingTouches = 100_000;

    private const string FileName = "llmcache.db";

    private readonly DiskTierOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _path;
    private readonly Timer _sweeper;
    private readonly Timer _recencyFlusher;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _touched = new(StringComparer.Ordinal);
    private int _touchedCount;
    private volatile bool _readOnly;
    private readonly object _recreateLock = new();
    // Every write of this process runs, in order, on one thread of the tier's own: writers never wait in
    // SQLite's busy handler for each other (its sleeps let a crowd of local writers starve one another),
    // and a write waiting for another process's lock holds no thread-pool thread.
    private readonly System.Collections.Concurrent.BlockingCollection<PendingWrite> _writes = new();
    private readonly Thread _writer;
    private readonly System.Collections.Concurrent.ConcurrentBag<Session> _idle = new();
    private readonly int _maxIdle = Math.Max(2, Environment.ProcessorCount * 2);
    private int _idleCount;
    private int _generation;
    private volatile bool _disposed;
    private string _connectionString;
    private string? _fileId;
    private long _nextFileCheck;

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
        if (options.BusyTimeout <= TimeSpan.Zero || options.RecencyFlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BusyTimeout and RecencyFlushInterval must be positive.");
        }
        if (options.FileCheckInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FileCheckInterval cannot be negative.");
        }
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _readOnly = options.ReadOnly;
        _path = Path.GetFullPath(Path.Combine(options.Directory, FileName));
        _connectionString = BuildConnectionString();
        if (_readOnly)
        {
            ReadFileIdQuietly();
        }
        else
        {
            System.IO.Directory.CreateDirectory(options.Directory);
            Initialize();
        }
        TimeSpan sweep = _readOnly ? Timeout.InfiniteTimeSpan : options.SweepInterval;
        TimeSpan flush = _readOnly ? Timeout.InfiniteTimeSpan : options.RecencyFlushInterval;
        _writer = new Thread(static state => ((SqliteCacheTier)state!).WriteLoop()) { IsBackground = true, Name = "LlmCache disk writer" };
        _writer.Start(this);
        _sweeper = new Timer(static state => ((SqliteCacheTier)state!).SweepInBackground(), this, sweep, sweep);
        _recencyFlusher = new Timer(static state => ((SqliteCacheTier)state!).FlushRecencyInBackground(), this, flush, flush);
    }

    /// <summary>Whether the tier only reads (<see cref="DiskTierOptions.ReadOnly"/> or <see cref="MakeReadOnly"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The cache file.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public byte[]? Get(string key) => Read(key, _options.MaximumValueBytes)?.Value;

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        OffCallerAsync(static (tier, key, state) => tier.Read(key, tier._options.MaximumValueBytes)?.Value, key, null, token);

    /// <inheritdoc />
    public Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default) =>
        OffCallerAsync(static (tier, key, state) => tier.Read(key, (long)state!), key, maximumBytes, token);

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_readOnly)
        {
            return Task.CompletedTask;
        }
        long now = Now();
        long expires = Expiry(options, now);
        return WriteAsync(s => s.Upsert(key, value, expires, now), token);
    }

    /// <inheritdoc />
    public TimeSpan? MaxTtl => _options.MaxTtl;

    /// <summary>
    /// From now on the tier never writes to the file: stores and removals are ignored, the sweep and the
    /// recency flush stop, pending recency is dropped, and a missing file is never created again.
    /// </summary>
    public void MakeReadOnly()
    {
        if (_readOnly)
        {
            return;
        }
        _readOnly = true;
        _sweeper.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _recencyFlusher.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _touched.Clear();
        lock (_recreateLock)
        {
            _connectionString = BuildConnectionString();
            Interlocked.Increment(ref _generation); // connections opened before may create the file: none is reused
            DrainIdle();
        }
    }

    /// <summary>
    /// One SELECT: the value only when it is fresh and within <paramref name="maximumBytes"/> (SQLite
    /// reads a blob's length from the record header, so a long value is never loaded). Never writes:
    /// an expired row stays for the sweep, recency is noted in memory.
    /// </summary>
    private TierValue? Read(string key, long maximumBytes) => Run(session =>
    {
        long now = Now();
        using SqliteDataReader reader = session.Select(key, now, maximumBytes);
        if (!reader.Read())
        {
            return (TierValue?)null;
        }
        long expires = reader.GetInt64(1);
        if (expires <= now)
        {
            return null;
        }
        if (reader.IsDBNull(0))
        {
            Log.ValueTooLarge(_logger, _path, key, reader.GetInt64(3), maximumBytes);
            return null;
        }
        byte[] value = (byte[])reader.GetValue(0);
        if (!_readOnly && now - reader.GetInt64(2) > TimeSpan.TicksPerMinute)
        {
            NoteAccess(key, now); // recency for the size cap, written at most once a minute per entry
        }
        return new TierValue(value, expires < DateTime.MaxValue.Ticks ? new DateTimeOffset(expires, TimeSpan.Zero) : null);
    });

    /// <summary>
    /// Queues <paramref name="work"/> for the writer thread, to run in one write transaction. The task
    /// ends with the write, or when <paramref name="token"/> is cancelled (the write still runs).
    /// After <see cref="Dispose"/> the write runs at once on the caller's thread.
    /// </summary>
    private Task WriteAsync(Action<Session> work, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled(token);
        }
        var pending = new PendingWrite(work);
        try
        {
            _writes.Add(pending, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Disposed: no writer thread any more.
            try
            {
                RunWrite(work);
                return Task.CompletedTask;
            }
            catch (Exception ex)
            {
                return Task.FromException(ex);
            }
        }
        return token.CanBeCanceled ? pending.Done.Task.WaitAsync(token) : pending.Done.Task;
    }

    private void RunWrite(Action<Session> work) =>
        Run(session => session.InWriteTransaction(work, (int)_options.BusyTimeout.TotalMilliseconds));

    private void WriteLoop()
    {
        foreach (PendingWrite pending in _writes.GetConsumingEnumerable())
        {
            try
            {
                RunWrite(pending.Work);
                pending.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    private sealed class PendingWrite(Action<Session> work)
    {
        public Action<Session> Work { get; } = work;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void NoteAccess(string key, long now)
    {
        if (Volatile.Read(ref _touchedCount) < MaxPendingTouches && _touched.TryAdd(key, now))
        {
            Interlocked.Increment(ref _touchedCount);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool; the returned task ends when it does or when
    /// <paramref name="token"/> is cancelled (the tier's timeout), whichever comes first — a statement
    /// waiting for SQLite never holds the caller.
    /// </summary>
    private Task<T> OffCallerAsync<T>(Func<SqliteCacheTier, string, object?, T> work, string key, object? state, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(token);
        }
        Task<T> task = Task.Factory.StartNew(static s =>
        {
            var (tier, key, state, work) = ((SqliteCacheTier, string, object?, Func<SqliteCacheTier, string, object?, T>))s!;
            return work(tier, key, state);
        }, (this, key, state, work), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        return token.CanBeCanceled ? task.WaitAsync(token) : task;
    }

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        if (_readOnly)
        {
            return Task.CompletedTask;
        }
        _touched.TryRemove(key, out _);
        return WriteAsync(s => s.Delete(key), token);
    }

    /// <summary>
    /// Writes the pending recency, then deletes expired entries (only rows still expired at that moment:
    /// a fresh value another process wrote under the key stays) and the least recently used ones while the
    /// values exceed <see cref="DiskTierOptions.MaxBytes"/>. Does nothing on a read-only tier.
    /// </summary>
    public void Sweep() => SweepAsync().GetAwaiter().GetResult();

    private Task SweepAsync()
    {
        if (_readOnly)
        {
            return Task.CompletedTask;
        }
        return WriteAsync(s =>
        {
            ApplyRecency(s);
            SqliteConnection connection = s.Connection;
            using (SqliteCommand expired = connection.CreateCommand())
            {
                expired.CommandText = "DELETE FROM entries WHERE expires <= $now; DELETE FROM semantic_log WHERE expires <= $now";
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
        }, CancellationToken.None);
    }

    /// <summary>Writes the recency hits earned since the last flush, in one transaction (nothing on a read-only tier).</summary>
    public void FlushRecency() => FlushRecencyAsync().GetAwaiter().GetResult();

    private Task FlushRecencyAsync() => _readOnly || _touched.IsEmpty ? Task.CompletedTask : WriteAsync(ApplyRecency, CancellationToken.None);

    private void ApplyRecency(Session session)
    {
        if (_readOnly)
        {
            return;
        }
        foreach (KeyValuePair<string, long> touched in _touched)
        {
            if (_touched.TryRemove(touched))
            {
                Interlocked.Decrement(ref _touchedCount);
                session.Touch(touched.Key, touched.Value);
            }
        }
    }

    /// <summary>Stored values and their total size (for tests and diagnostics).</summary>
    public (long Count, long Bytes) Statistics() => Run(session =>
    {
        using SqliteCommand count = session.Connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM entries";
        using SqliteDataReader reader = count.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _sweeper.Dispose();
        _recencyFlusher.Dispose();
        FlushRecencyInBackground(); // the last recency, best effort
        _writes.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(10)); // queued writes land before the file is let go
        DrainIdle();
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

    private string BuildConnectionString() => new SqliteConnectionStringBuilder
    {
        DataSource = _path,
        // A read-only tier must not create a file (WAL readers still need write access to the -shm).
        Mode = _readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = false, // the tier keeps its own open connections, with their statements prepared
        // Microsoft.Data.Sqlite's own retry on a busy statement counts whole seconds; writes wait through
        // SQLite's busy handler instead (BusyTimeout, set on every connection), reads never need to.
        DefaultTimeout = 1,
    }.ToString();

    /// <summary>A read-only tier only learns the file's id; an absent or unreadable file is a miss later, never created or moved.</summary>
    private void ReadFileIdQuietly()
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            _fileId = ReadFileId(connection);
        }
        catch (SqliteException)
        {
        }
    }

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
            CREATE TABLE IF NOT EXISTS meta (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS semantic_log (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              partition TEXT NOT NULL,
              expires INTEGER NOT NULL,
              record BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS semantic_log_partition ON semantic_log (partition, seq);
            INSERT OR IGNORE INTO meta (name, value) VALUES ('id', $id);
            PRAGMA quick_check;
            """;
        setup.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
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
        reader.Close();
        _fileId = ReadFileId(connection);
    }

    /// <summary>
    /// Runs one statement group on an open connection of this tier. A corrupt or vanished file is
    /// recreated and the group retried; other failures (a lock held too long) throw, and the runtime's
    /// circuit breaker makes them a miss.
    /// </summary>
    private T Run<T>(Func<Session, T> work)
    {
        // After Dispose a call still works, on a connection closed right after it (writes flushed late by
        // a runtime that outlives its tier are not lost); nothing stays open.
        for (int attempt = 0; ; attempt++)
        {
            int generation = Volatile.Read(ref _generation);
            Session? session = null;
            try
            {
                long now = Environment.TickCount64;
                if (now >= Volatile.Read(ref _nextFileCheck))
                {
                    Volatile.Write(ref _nextFileCheck, now + (long)_options.FileCheckInterval.TotalMilliseconds);
                    CheckFile(generation);
                }
                session = Rent();
                generation = session.Generation;
                T result = work(session);
                Return(session);
                session = null;
                return result;
            }
            catch (SqliteException ex) when (attempt == 0 && (IsCorruption(ex) || IsMissingTable(ex)))
            {
                Recreate(generation, IsMissingTable(ex) ? null : ex);
            }
            finally
            {
                session?.Dispose(); // failed midway: never reused
            }
        }
    }

    /// <summary>
    /// Open connections would go on with a removed (unlinked) or replaced file unnoticed: a removed file
    /// is recreated; a file with another id (another process moved ours aside and started anew) is
    /// reopened. Costs a stat and, if the file is there, a short read on a fresh connection.
    /// </summary>
    private void CheckFile(int observedGeneration)
    {
        if (!File.Exists(_path))
        {
            if (_readOnly)
            {
                return; // a miss until someone else creates it
            }
            Recreate(observedGeneration, corruption: null);
            return;
        }
        string? id;
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            id = ReadFileId(connection);
        }
        catch (SqliteException)
        {
            return; // unreadable: the call itself meets the error and recreates the file if it must
        }
        lock (_recreateLock)
        {
            if (id is not null && id != _fileId && observedGeneration == _generation)
            {
                Interlocked.Increment(ref _generation);
                DrainIdle();
                _fileId = id;
                Log.DiskReplaced(_logger, _path);
            }
        }
    }

    private static string? ReadFileId(SqliteConnection connection)
    {
        using SqliteCommand select = connection.CreateCommand();
        select.CommandText = "SELECT value FROM meta WHERE name = 'id'";
        return select.ExecuteScalar() as string;
    }

    private static bool IsMissingTable(SqliteException ex) =>
        ex.SqliteErrorCode == 1 && ex.Message.Contains("no such table", StringComparison.Ordinal);

    private Session Rent()
    {
        int generation = Volatile.Read(ref _generation);
        while (_idle.TryTake(out Session? idle))
        {
            Interlocked.Decrement(ref _idleCount);
            if (idle.Generation == generation)
            {
                return idle;
            }
            idle.Dispose(); // opened on a file that has since been replaced
        }
        return new Session(_connectionString, generation, (int)_options.BusyTimeout.TotalMilliseconds);
    }

    private void Return(Session session)
    {
        if (_disposed || session.Generation != Volatile.Read(ref _generation))
        {
            session.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > _maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }
        _idle.Add(session);
        if (_disposed || session.Generation != Volatile.Read(ref _generation))
        {
            DrainIdle(); // raced with Dispose or a recreation: nothing stale stays open
        }
    }

    private void DrainIdle()
    {
        while (_idle.TryTake(out Session? idle))
        {
            Interlocked.Decrement(ref _idleCount);
            idle.Dispose();
        }
    }

    private static bool IsCorruption(SqliteException ex) => ex.SqliteErrorCode is 11 or 26; // SQLITE_CORRUPT, SQLITE_NOTADB

    /// <summary>
    /// Starts anew after a failure on an open connection: a removed file (<paramref name="corruption"/>
    /// null) is created again; after a corruption error, a file at the path is kept if it is sound
    /// (another process may have replaced ours already) and moved aside if not. Only once per failure:
    /// a caller that saw <paramref name="observedGeneration"/> while another thread already recreated
    /// the file does nothing.
    /// </summary>
    private void Recreate(int observedGeneration, Exception? corruption)
    {
        lock (_recreateLock)
        {
            if (observedGeneration != _generation)
            {
                return;
            }
            Interlocked.Increment(ref _generation);
            DrainIdle();
            if (_readOnly)
            {
                return; // never create, repair or move a file this process only reads: fresh connections next time
            }
            if (corruption is null)
            {
                Log.DiskRemoved(_logger, _path);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
                CreateSchema();
                return;
            }
            if (File.Exists(_path))
            {
                try
                {
                    CreateSchema();
                    Log.DiskReopened(_logger, _path, corruption);
                    return;
                }
                catch (SqliteException ex) when (IsCorruption(ex))
                {
                    corruption = ex;
                }
            }
            MoveAsideAndRecreate(corruption);
        }
    }

    /// <summary>Moves a file known to be corrupt aside and creates a new one (under the lock, or from the constructor).</summary>
    private void MoveAsideAndRecreate(Exception cause)
    {
        string aside = _path + ".corrupt-" + _time.GetUtcNow().ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(_path + suffix))
            {
                File.Move(_path + suffix, aside + suffix, overwrite: true);
            }
        }
        Log.DiskRecreated(_logger, _path, aside, cause);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        CreateSchema();
    }

    private void FlushRecencyInBackground() => _ = LogFailure(FlushRecencyAsync(), "recency");

    private void SweepInBackground()
    {
        if (!_disposed && !_readOnly)
        {
            _ = LogFailure(SweepAsync(), "sweep");
        }
    }

    /// <summary>Background work is never awaited: its failure is logged and the next period tries again.</summary>
    private async Task LogFailure(Task work, string what)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            if (what == "sweep")
            {
                Log.SweepFailed(_logger, _path, ex);
            }
            else
            {
                // Recency is a hint for eviction: a lost batch only makes those entries look older.
                Log.RecencyFlushFailed(_logger, _path, ex);
            }
        }
    }

    /// <summary>One open connection and its prepared statements; used by one call at a time.</summary>
    private sealed class Session : IDisposable
    {
        private const string UpsertSql = """
            INSERT INTO entries (key, value, expires, accessed, size) VALUES ($key, $value, $expires, $now, $size)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires, accessed = excluded.accessed, size = excluded.size
            """;

        private readonly SqliteCommand _select;
        private readonly SqliteCommand _touch;
        private readonly SqliteCommand _delete;
        private readonly SqliteCommand _upsert;

        public Session(string connectionString, int generation, int busyTimeoutMs)
        {
            Generation = generation;
            Connection = new SqliteConnection(connectionString);
            try
            {
                Connection.Open();
                SQLitePCL.raw.sqlite3_busy_timeout(Connection.Handle, busyTimeoutMs);
                _select = Prepare("""
                    SELECT CASE WHEN expires > $now AND length(value) <= $max THEN value END, expires, accessed, length(value)
                    FROM entries WHERE key = $key
                    """, "$key", "$now", "$max");
                _touch = Prepare("UPDATE entries SET accessed = max(accessed, $now) WHERE key = $key", "$now", "$key");
                _delete = Prepare("DELETE FROM entries WHERE key = $key", "$key");
                _upsert = Prepare(UpsertSql, "$key", "$value", "$expires", "$now", "$size");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Generation { get; }

        public SqliteConnection Connection { get; }

        public SqliteDataReader Select(string key, long now, long maximumBytes)
        {
            _select.Parameters[0].Value = key;
            _select.Parameters[1].Value = now;
            _select.Parameters[2].Value = maximumBytes;
            return _select.ExecuteReader();
        }

        /// <summary>
        /// Runs <paramref name="work"/> in one write transaction. BEGIN IMMEDIATE goes straight to SQLite,
        /// whose busy handler waits at most the busy timeout for another writer (Microsoft.Data.Sqlite's
        /// own retry counts whole seconds); inside the transaction no statement waits again.
        /// </summary>
        public bool InWriteTransaction(Action<Session> work, int busyTimeoutMs)
        {
            SQLitePCL.raw.sqlite3_busy_timeout(Connection.Handle, busyTimeoutMs);
            Exec("BEGIN IMMEDIATE");
            try
            {
                work(this);
                Exec("COMMIT");
                return true;
            }
            catch
            {
                SQLitePCL.raw.sqlite3_exec(Connection.Handle, "ROLLBACK");
                throw;
            }
        }

        private void Exec(string sql)
        {
            int rc = SQLitePCL.raw.sqlite3_exec(Connection.Handle, sql);
            if (rc != SQLitePCL.raw.SQLITE_OK)
            {
                throw new SqliteException(sql + ": " + SQLitePCL.raw.sqlite3_errmsg(Connection.Handle).utf8_to_string(), rc);
            }
        }

        public void Touch(string key, long now)
        {
            _touch.Parameters[0].Value = now;
            _touch.Parameters[1].Value = key;
            _touch.ExecuteNonQuery();
        }

        public bool Delete(string key)
        {
            _delete.Parameters[0].Value = key;
            return _delete.ExecuteNonQuery() > 0;
        }

        public void Upsert(string key, byte[] value, long expires, long now)
        {
            SqliteParameterCollection p = _upsert.Parameters;
            p[0].Value = key;
            p[1].Value = value;
            p[2].Value = expires;
            p[3].Value = now;
            p[4].Value = value.LongLength;
            _upsert.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _select?.Dispose();
            _touch?.Dispose();
            _delete?.Dispose();
            _upsert?.Dispose();
            Connection.Dispose();
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            SqliteCommand command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (string name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            command.Prepare();
            return command;
        }
    }

    private static partial class Log
    {

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} was unreadable; moved aside to {Aside} and recreated")]
        public static partial void DiskRecreated(ILogger logger, string path, string aside, Exception exception);

        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} was removed; a new file was created")]
        public static partial void DiskRemoved(ILogger logger, string path);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path}: the periodic sweep failed; the next one tries again")]
        public static partial void SweepFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} failed on an open connection but the file at the path is sound; connections reopened")]
        public static partial void DiskReopened(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} was replaced by another process; connections reopened")]
        public static partial void DiskReplaced(ILogger logger, string path);

        [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path} refused the value under {Key}: {Length} bytes, the limit is {Limit}; treated as a miss")]
        public static partial void ValueTooLarge(ILogger logger, string path, string key, long length, long limit);

        [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "LlmCache disk tier {Path}: writing the recency of hits failed; those entries only look older to eviction")]
        public static partial void RecencyFlushFailed(ILogger logger, string path, Exception exception);
    }
}
