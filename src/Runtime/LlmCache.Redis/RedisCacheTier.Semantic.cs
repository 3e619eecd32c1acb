using StackExchange.Redis;

namespace LlmCache.Redis;

// The semantic index log: one Redis list per partition ({prefix}semantic:{partition}), appended with
// RPUSH and read from the last position with LRANGE, so every process on this Redis finds the semantic
// entries the others stored. Only standard commands (two small scripts); the partition is the key's
// hash tag, so on a cluster a partition's list lives in one slot.
public sealed partial class RedisCacheTier : ISemanticIndexLog
{
    /// <summary>A list longer than this starts over (its readers reload), so a hot partition cannot grow without bound.</summary>
    internal const int MaxSemanticRecords = 100_000;

    private const string AppendScript = """
        local n = redis.call('RPUSH', KEYS[1], ARGV[1])
        if n > tonumber(ARGV[3]) then
          redis.call('DEL', KEYS[1])
          n = redis.call('RPUSH', KEYS[1], ARGV[1])
        end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < tonumber(ARGV[2]) then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return n
        """;

    private const string ReadLogScript = """
        local n = redis.call('LLEN', KEYS[1])
        local from = tonumber(ARGV[1])
        if n < from then
          return {n, 1, redis.call('LRANGE', KEYS[1], 0, -1)}
        end
        return {n, 0, redis.call('LRANGE', KEYS[1], from, -1)}
        """;

    private RedisKey SemanticKey(string partition) => _options.KeyPrefix + "semantic:{" + partition + "}";

    /// <inheritdoc />
    public async ValueTask AppendAsync(string partition, ReadOnlyMemory<byte> record, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (_readOnly || keepFor <= TimeSpan.Zero)
        {
            return;
        }
        long milliseconds = (long)Math.Min(keepFor.TotalMilliseconds, TimeSpan.FromDays(3650).TotalMilliseconds);
        await _redis.GetDatabase()
            .ScriptEvaluateAsync(AppendScript, [SemanticKey(partition)], [record, Math.Max(1, milliseconds), MaxSemanticRecords])
            .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SemanticLogPage> ReadAsync(string partition, long from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        RedisResult result = await _redis.GetDatabase()
            .ScriptEvaluateAsync(ReadLogScript, [SemanticKey(partition)], [from])
            .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        long length = (long)parts[0];
        bool restarted = (long)parts[1] == 1;
        var items = (RedisResult[])parts[2]!;
        var records = new List<byte[]>(items.Length);
        foreach (RedisResult item in items)
        {
            if ((byte[]?)item is { } bytes)
            {
                records.Add(bytes);
            }
        }
        return new SemanticLogPage(records, length, restarted);
    }
}
