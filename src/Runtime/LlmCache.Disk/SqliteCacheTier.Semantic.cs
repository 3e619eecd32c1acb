using Microsoft.Data.Sqlite;

namespace LlmCache.Disk;

// The semantic index log: the embedded semantic index appends every entry it adds, and reads back what
// this or another process appended, so semantic hits survive a restart and are shared on the machine.
public sealed partial class SqliteCacheTier : ISemanticIndexLog
{
    /// <inheritdoc />
    public ValueTask AppendAsync(string partition, ReadOnlyMemory<byte> record, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (_readOnly || keepFor <= TimeSpan.Zero)
        {
            return ValueTask.CompletedTask;
        }
        long now = Now();
        long expires = keepFor.Ticks >= DateTime.MaxValue.Ticks - now ? DateTime.MaxValue.Ticks : now + keepFor.Ticks;
        byte[] bytes = record.ToArray();
        return new ValueTask(WriteAsync(s =>
        {
            using SqliteCommand insert = s.Connection.CreateCommand();
            insert.CommandText = "INSERT INTO semantic_log (partition, expires, record) VALUES ($partition, $expires, $record)";
            insert.Parameters.AddWithValue("$partition", partition);
            insert.Parameters.AddWithValue("$expires", expires);
            insert.Parameters.AddWithValue("$record", bytes);
            insert.ExecuteNonQuery();
        }, cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask<SemanticLogPage> ReadAsync(string partition, long from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return new ValueTask<SemanticLogPage>(OffCallerAsync(static (tier, partition, state) => tier.ReadLog(partition, (long)state!),
            partition, from, cancellationToken));
    }

    private SemanticLogPage ReadLog(string partition, long from) => Run(session =>
    {
        SqliteConnection connection = session.Connection;
        bool restarted = false;
        if (from > 0)
        {
            // A file recreated since the last read numbers its records from 1 again: read them all.
            using SqliteCommand last = connection.CreateCommand();
            last.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM semantic_log";
            restarted = (long)last.ExecuteScalar()! < from;
        }
        using SqliteCommand select = connection.CreateCommand();
        select.CommandText = "SELECT seq, record FROM semantic_log WHERE partition = $partition AND seq > $from AND expires > $now ORDER BY seq";
        select.Parameters.AddWithValue("$partition", partition);
        select.Parameters.AddWithValue("$from", restarted ? 0 : from);
        select.Parameters.AddWithValue("$now", Now());
        var records = new List<byte[]>();
        long next = restarted ? 0 : from;
        using SqliteDataReader reader = select.ExecuteReader();
        while (reader.Read())
        {
            next = reader.GetInt64(0);
            records.Add((byte[])reader.GetValue(1));
        }
        return new SemanticLogPage(records, next, restarted);
    });
}
