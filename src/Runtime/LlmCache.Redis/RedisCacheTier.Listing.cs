using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;

namespace LlmCache.Redis;

public sealed partial class RedisCacheTier : IListableCacheTier
{
    private const int ListPageSize = 500;

    /// <summary>
    /// Lists the keys under <see cref="RedisTierOptions.KeyPrefix"/> + <paramref name="keyPrefix"/> with
    /// <c>SCAN … MATCH</c> on every primary (each node of a cluster), then asks for each page's stored
    /// lengths and remaining lifetimes in one pipelined round trip. The tier's own key prefix is removed
    /// from the keys listed; the invalidation channel is not a key and never listed.
    /// </summary>
    /// <param name="keyPrefix">The start of the keys wanted; empty for every key under the tier's prefix.</param>
    /// <param name="token">Cancels the listing.</param>
    /// <returns>The entries, with their stored (compressed) length and expiry.</returns>
    public async IAsyncEnumerable<TierEntryInfo> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        string full = _options.KeyPrefix + keyPrefix;
        string pattern = GlobEscape(full) + "*";
        IDatabase db = _redis.GetDatabase();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IServer[] primaries = await PrimariesAsync(token).ConfigureAwait(false);
        foreach (IServer server in primaries)
        {
            var page = new List<RedisKey>(ListPageSize);
            await foreach (RedisKey key in server.KeysAsync(db.Database, pattern, ListPageSize).WithCancellation(token).ConfigureAwait(false))
            {
                page.Add(key);
                if (page.Count == ListPageSize)
                {
                    foreach (TierEntryInfo entry in await DescribeAsync(db, page, seen).ConfigureAwait(false))
                    {
                        yield return entry;
                    }
                    page.Clear();
                }
            }
            foreach (TierEntryInfo entry in await DescribeAsync(db, page, seen).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// The connected primaries, waiting up to <see cref="RedisTierOptions.ConnectTimeout"/> for the first
    /// connection: a listing of a server that cannot be reached fails rather than finding nothing.
    /// </summary>
    private async Task<IServer[]> PrimariesAsync(CancellationToken token)
    {
        long deadline = Environment.TickCount64 + (long)_options.ConnectTimeout.TotalMilliseconds;
        while (true)
        {
            IServer[] primaries = [.. _redis.GetServers().Where(s => s.IsConnected && !s.IsReplica)];
            if (primaries.Length > 0)
            {
                return primaries;
            }
            if (Environment.TickCount64 >= deadline)
            {
                throw new RedisException("The Redis tier cannot list keys: no primary is connected.");
            }
            await Task.Delay(50, token).ConfigureAwait(false);
        }
    }

    private async Task<List<TierEntryInfo>> DescribeAsync(IDatabase db, List<RedisKey> keys, HashSet<string> seen)
    {
        var lengths = new Task<long>[keys.Count];
        var lifetimes = new Task<TimeSpan?>[keys.Count];
        IBatch batch = db.CreateBatch();
        for (int i = 0; i < keys.Count; i++)
        {
            lengths[i] = batch.StringLengthAsync(keys[i]);
            lifetimes[i] = batch.KeyTimeToLiveAsync(keys[i]);
        }
        batch.Execute();
        await Task.WhenAll(Task.WhenAll(lengths), Task.WhenAll(lifetimes)).WaitAsync(_options.OperationTimeout * 4).ConfigureAwait(false);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var entries = new List<TierEntryInfo>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            string key = ((string)keys[i]!)[_options.KeyPrefix.Length..];
            long length = lengths[i].Result;
            if (length == 0 || !seen.Add(key))
            {
                continue; // gone meanwhile (or not a string), or listed already
            }
            entries.Add(new TierEntryInfo(key, length, lifetimes[i].Result is { } left ? now + left : null, Written: null));
        }
        return entries;
    }

    private static string GlobEscape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
