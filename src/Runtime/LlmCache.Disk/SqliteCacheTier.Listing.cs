using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace LlmCache.Disk;

public sealed partial class SqliteCacheTier : IListableCacheTier
{
    private const int ListPageSize = 500;

    /// <summary>
    /// Lists the fresh entries under <paramref name="keyPrefix"/> in key order, a page of rows per
    /// statement (no read transaction stays open between pages, so writers are never held back).
    /// </summary>
    /// <param name="keyPrefix">The start of the keys wanted; empty for every entry.</param>
    /// <param name="token">Cancels the listing.</param>
    /// <returns>The entries, with their stored size and expiry.</returns>
    public async IAsyncEnumerable<TierEntryInfo> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        string? after = null;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            string? from = after;
            (List<TierEntryInfo> page, string? last) = await Task.Run(() => ListPage(keyPrefix, from), token).ConfigureAwait(false);
            foreach (TierEntryInfo entry in page)
            {
                yield return entry;
            }
            if (last is null)
            {
                yield break;
            }
            after = last;
        }
    }

    /// <summary>
    /// One page: keys after <paramref name="after"/> (or from the prefix on), stopping at the first key
    /// outside the prefix. <c>Last</c> is where the next page starts, null when the listing is done.
    /// </summary>
    private (List<TierEntryInfo> Page, string? Last) ListPage(string keyPrefix, string? after) => Run(session =>
    {
        long now = Now();
        using SqliteCommand list = session.Connection.CreateCommand();
        list.CommandText = after is null
            ? "SELECT key, size, expires FROM entries WHERE key >= $from ORDER BY key LIMIT $limit"
            : "SELECT key, size, expires FROM entries WHERE key > $from ORDER BY key LIMIT $limit";
        list.Parameters.AddWithValue("$from", after ?? keyPrefix);
        list.Parameters.AddWithValue("$limit", ListPageSize);
        var page = new List<TierEntryInfo>();
        int read = 0;
        string? last = null;
        using SqliteDataReader reader = list.ExecuteReader();
        while (reader.Read())
        {
            read++;
            string key = reader.GetString(0);
            if (!key.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                return (page, (string?)null); // past the prefix
            }
            last = key;
            long expires = reader.GetInt64(2);
            if (expires > now) // an expired row waits for the sweep: not listed
            {
                page.Add(new TierEntryInfo(key, reader.GetInt64(1),
                    expires < DateTime.MaxValue.Ticks ? new DateTimeOffset(expires, TimeSpan.Zero) : null, Written: null));
            }
        }
        return (page, read == ListPageSize ? last : null);
    });
}
