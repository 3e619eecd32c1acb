using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;

namespace LlmCache;

/// <summary>
/// The default semantic index: exact search in process over each partition's vectors (one contiguous
/// block, scored with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>),
/// optionally persisted and shared through an <see cref="ISemanticIndexLog"/> (the disk tier, Redis):
/// every entry added is appended to the log, and every search first reads what other processes appended.
/// </summary>
/// <remarks>
/// A record read from the log is checked before it is used: its partition must be the one read (a
/// record copied between partitions is refused), its bounds must hold, and with a signing key its MAC
/// must match. A record that fails is skipped. The log is always bounded by <see cref="LogTimeout"/>: a
/// slow or unreachable log makes a search use what is already in memory, never wait.
/// </remarks>
public sealed class EmbeddedSemanticIndex : ISemanticIndex
{
    private const byte RecordVersion = 1;
    private const int MacBytes = 16;
    private readonly ConcurrentDictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private readonly ISemanticIndexLog? _log;
    private readonly byte[]? _signingKey;
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly Action<Exception>? _logFailed;

    /// <summary>Creates an index held in process memory only.</summary>
    /// <param name="maxEntriesPerPartition">The most entries kept per partition; the oldest go first.</param>
    public EmbeddedSemanticIndex(int maxEntriesPerPartition = 100_000)
        : this(null, maxEntriesPerPartition, null, null, null)
    {
    }

    /// <summary>Creates an index persisted and shared through <paramref name="log"/>.</summary>
    /// <param name="log">Where entries are appended and read back; null for memory only.</param>
    /// <param name="maxEntriesPerPartition">The most entries kept per partition; the oldest go first.</param>
    /// <param name="signingKey">When set, records are signed with it, and unsigned or forged records are skipped.</param>
    /// <param name="timeProvider">The clock that expires entries.</param>
    /// <param name="logFailed">Told when a log read or write fails or times out (the index goes on without it).</param>
    public EmbeddedSemanticIndex(ISemanticIndexLog? log, int maxEntriesPerPartition = 100_000, byte[]? signingKey = null,
        TimeProvider? timeProvider = null, Action<Exception>? logFailed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntriesPerPartition, 1);
        _log = log;
        _maxEntries = maxEntriesPerPartition;
        _signingKey = signingKey;
        _time = timeProvider ?? TimeProvider.System;
        _logFailed = logFailed;
    }

    /// <summary>The longest a log read or write may take. Default: 500 ms.</summary>
    public TimeSpan LogTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The most partitions held in memory. Past it, the least recently used tenth is dropped (with every
    /// partition whose entries all expired): a dropped partition is read again from the log when next
    /// searched, or starts empty. Default: 10,000.
    /// </summary>
    public int MaxPartitions { get; init; } = 10_000;

    /// <summary>Partitions held in memory.</summary>
    public int PartitionCount => _partitions.Count;

    /// <summary>Entries held in memory over all partitions (removed and expired ones not yet compacted included).</summary>
    public int Count => _partitions.Values.Sum(p => p.Count);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SemanticCandidate>> SearchAsync(string partition, ReadOnlyMemory<float> vector, int count,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        Partition p = PartitionOf(partition);
        if (_log is not null)
        {
            await SyncAsync(partition, p, cancellationToken).ConfigureAwait(false);
        }
        return p.Search(vector.Span, count, _time.GetUtcNow().UtcTicks);
    }

    /// <inheritdoc />
    public async ValueTask AddAsync(string partition, SemanticIndexEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(entry);
        Partition p = PartitionOf(partition);
        p.Add(entry, _maxEntries, _time.GetUtcNow().UtcTicks);
        if (_log is null)
        {
            return;
        }
        TimeSpan keepFor = entry.Expires - _time.GetUtcNow();
        if (keepFor <= TimeSpan.Zero)
        {
            return;
        }
        byte[] record = Encode(partition, entry);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LogTimeout);
        try
        {
            await _log.AppendAsync(partition, record, keepFor, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logFailed?.Invoke(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string partition, string entryKey, CancellationToken cancellationToken)
    {
        if (_partitions.TryGetValue(partition, out Partition? p))
        {
            p.Remove(entryKey);
        }
        return ValueTask.CompletedTask;
    }

    private Partition PartitionOf(string partition)
    {
        long now = _time.GetUtcNow().UtcTicks;
        if (_partitions.TryGetValue(partition, out Partition? known))
        {
            known.LastUsed = now;
            return known;
        }
        if (_partitions.Count >= MaxPartitions)
        {
            Trim(now);
        }
        Partition created = _partitions.GetOrAdd(partition, static _ => new Partition());
        created.LastUsed = now;
        return created;
    }

    /// <summary>Drops partitions whose entries all expired, then the least recently used tenth.</summary>
    private void Trim(long now)
    {
        lock (_partitions)
        {
            if (_partitions.Count < MaxPartitions)
            {
                return;
            }
            foreach (KeyValuePair<string, Partition> pair in _partitions)
            {
                if (pair.Value.AllExpired(now))
                {
                    _partitions.TryRemove(pair);
                }
            }
            int excess = _partitions.Count - MaxPartitions * 9 / 10;
            if (excess > 0)
            {
                foreach (KeyValuePair<string, Partition> pair in _partitions.OrderBy(p => p.Value.LastUsed).Take(excess).ToList())
                {
                    _partitions.TryRemove(pair);
                }
            }
        }
    }

    private async ValueTask SyncAsync(string partition, Partition p, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LogTimeout);
        try
        {
            long from = p.LogNext;
            SemanticLogPage page = await _log!.ReadAsync(partition, from, timeout.Token).ConfigureAwait(false);
            long now = _time.GetUtcNow().UtcTicks;
            if (page.Restarted)
            {
                p.Clear();
            }
            foreach (byte[] record in page.Records)
            {
                if (Decode(partition, record) is { } entry)
                {
                    p.Add(entry, _maxEntries, now);
                }
            }
            p.Advance(from, page.Next, page.Restarted);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logFailed?.Invoke(ex);
        }
    }

    /// <summary>version, expires, answer hash, partition, key, features, dimensions, vector[, MAC].</summary>
    internal byte[] Encode(string partition, SemanticIndexEntry entry)
    {
        byte[] partitionBytes = Encoding.UTF8.GetBytes(partition);
        byte[] key = Encoding.UTF8.GetBytes(entry.EntryKey);
        byte[] features = Encoding.UTF8.GetBytes(entry.Features);
        ReadOnlySpan<float> vector = entry.Vector.Span;
        int length = 1 + 8 + 8 + 4 + partitionBytes.Length + 4 + key.Length + 4 + features.Length + 4 + vector.Length * 4
            + (_signingKey is null ? 0 : MacBytes);
        byte[] record = new byte[length];
        Span<byte> span = record;
        span[0] = RecordVersion;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], entry.Expires.UtcTicks);
        BinaryPrimitives.WriteUInt64LittleEndian(span[9..], entry.AnswerHash);
        int at = 17;
        foreach (byte[] part in (ReadOnlySpan<byte[]>)[partitionBytes, key, features])
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], part.Length);
            part.CopyTo(span[(at + 4)..]);
            at += 4 + part.Length;
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], vector.Length);
        at += 4;
        for (int i = 0; i < vector.Length; i++, at += 4)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[at..], vector[i]);
        }
        if (_signingKey is not null)
        {
            HMACSHA256.HashData(_signingKey, span[..at]).AsSpan(0, MacBytes).CopyTo(span[at..]);
        }
        return record;
    }

    /// <summary>The entry of a record of <paramref name="partition"/>, or null when it is malformed, of another partition, or not signed by this key.</summary>
    internal SemanticIndexEntry? Decode(string partition, byte[] record)
    {
        ReadOnlySpan<byte> span = record;
        int mac = _signingKey is null ? 0 : MacBytes;
        if (span.Length < 17 + mac || span[0] != RecordVersion)
        {
            return null;
        }
        ReadOnlySpan<byte> body = span[..^mac];
        if (_signingKey is not null && !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_signingKey, body).AsSpan(0, MacBytes), span[^mac..]))
        {
            return null;
        }
        long expires = BinaryPrimitives.ReadInt64LittleEndian(body[1..]);
        ulong answer = BinaryPrimitives.ReadUInt64LittleEndian(body[9..]);
        int at = 17;
        string?[] parts = new string?[3];
        for (int i = 0; i < 3; i++)
        {
            if (body.Length - at < 4)
            {
                return null;
            }
            int size = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            at += 4;
            if (size < 0 || size > body.Length - at)
            {
                return null;
            }
            parts[i] = Encoding.UTF8.GetString(body.Slice(at, size));
            at += size;
        }
        if (parts[0] != partition || body.Length - at < 4 || expires < DateTimeOffset.MinValue.UtcTicks || expires > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }
        int dimensions = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        if (dimensions <= 0 || dimensions > 65_536 || (long)dimensions * 4 != body.Length - at)
        {
            return null;
        }
        float[] vector = new float[dimensions];
        for (int i = 0; i < dimensions; i++, at += 4)
        {
            vector[i] = BinaryPrimitives.ReadSingleLittleEndian(body[at..]);
            if (!float.IsFinite(vector[i]))
            {
                return null;
            }
        }
        return new SemanticIndexEntry(parts[1]!, vector, parts[2]!, answer, new DateTimeOffset(expires, TimeSpan.Zero));
    }

    /// <summary>
    /// One partition. Each vector is kept twice, compactly: its signs (one bit per dimension, 48 bytes
    /// for 384 dimensions) and its components as <see cref="Half"/>. A search of a large partition
    /// ranks every entry by the Hamming distance of its signs to the query's (a popcount over six
    /// words), keeps the closest <see cref="Shortlist"/>, and scores those exactly; a small partition is
    /// scored exactly whole. A prefilter miss can only cost a hit, never serve a wrong one: whatever is
    /// returned carries its exact similarity, and the guards and threshold judge that.
    /// </summary>
    private sealed class Partition
    {
        /// <summary>Up to this many entries, every entry is scored exactly.</summary>
        private const int ExactLimit = 256;

        /// <summary>How many entries closest by their signs are scored exactly.</summary>
        private const int Shortlist = 256;

        private readonly object _gate = new();
        private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);
        private Half[] _vectors = [];
        private ulong[] _signs = [];
        private SemanticIndexEntry?[] _entries = [];
        private long[] _expires = [];
        private int _count;
        private int _removed;
        private int _dimensions;
        private int _words;
        private long _logNext;

        public int Count => _count;

        /// <summary>When the partition was last searched or added to (UTC ticks), for trimming.</summary>
        public long LastUsed
        {
            get => Volatile.Read(ref _lastUsed);
            set => Volatile.Write(ref _lastUsed, value);
        }

        private long _lastUsed;

        /// <summary>Whether every entry expired (or was removed).</summary>
        public bool AllExpired(long now)
        {
            lock (_gate)
            {
                for (int i = 0; i < _count; i++)
                {
                    if (_entries[i] is not null && _expires[i] > now)
                    {
                        return false;
                    }
                }
                return true;
            }
        }

        public long LogNext => Volatile.Read(ref _logNext);

        public void Advance(long from, long next, bool restarted)
        {
            // Two searches may read the same page: the position only moves forward (or starts over).
            if (restarted)
            {
                Volatile.Write(ref _logNext, next);
            }
            else
            {
                Interlocked.CompareExchange(ref _logNext, next, from);
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _byKey.Clear();
                Array.Clear(_entries);
                _count = 0;
                _removed = 0;
            }
        }

        private static void Signs(ReadOnlySpan<float> vector, Span<ulong> signs)
        {
            signs.Clear();
            for (int d = 0; d < vector.Length; d++)
            {
                if (vector[d] < 0)
                {
                    signs[d >> 6] |= 1UL << (d & 63);
                }
            }
        }

        private void Store(int at, SemanticIndexEntry entry, ReadOnlySpan<float> vector)
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(vector, _vectors.AsSpan(at * _dimensions, _dimensions));
            Signs(vector, _signs.AsSpan(at * _words, _words));
            // The entry is kept without its vector: the compact copies above are what is searched.
            _entries[at] = entry.Vector.IsEmpty ? entry : entry with { Vector = ReadOnlyMemory<float>.Empty };
            _expires[at] = entry.Expires.UtcTicks;
        }

        public void Add(SemanticIndexEntry entry, int max, long now)
        {
            ReadOnlySpan<float> vector = entry.Vector.Span;
            lock (_gate)
            {
                if (_count == 0 && _dimensions != vector.Length)
                {
                    _dimensions = vector.Length;
                    _words = (vector.Length + 63) / 64;
                    _vectors = [];
                    _signs = [];
                }
                if (vector.Length != _dimensions)
                {
                    return; // another embedding model: never comparable with what this partition holds
                }
                if (_byKey.TryGetValue(entry.EntryKey, out int existing))
                {
                    Store(existing, entry, vector);
                    return;
                }
                if (_count == max || _removed > 0 && _removed * 2 >= _count)
                {
                    Compact(now, _count == max ? Math.Max(1, max / 4) : 0);
                }
                if (_count == _entries.Length)
                {
                    int capacity = Math.Min(Math.Max(16, _entries.Length * 2), Math.Max(max, 16));
                    Array.Resize(ref _entries, capacity);
                    Array.Resize(ref _expires, capacity);
                    Array.Resize(ref _vectors, capacity * _dimensions);
                    Array.Resize(ref _signs, capacity * _words);
                }
                Store(_count, entry, vector);
                _byKey[entry.EntryKey] = _count;
                _count++;
            }
        }

        public void Remove(string entryKey)
        {
            lock (_gate)
            {
                if (_byKey.Remove(entryKey, out int at))
                {
                    _entries[at] = null;
                    _removed++;
                }
            }
        }

        /// <summary>Drops removed and expired entries, then the <paramref name="oldest"/> oldest of the rest.</summary>
        private void Compact(long now, int oldest)
        {
            int kept = 0;
            int skipped = 0;
            for (int i = 0; i < _count; i++)
            {
                if (_entries[i] is not { } entry || _expires[i] <= now)
                {
                    continue;
                }
                if (skipped < oldest)
                {
                    skipped++;
                    continue;
                }
                if (kept != i)
                {
                    _entries[kept] = entry;
                    _expires[kept] = _expires[i];
                    _vectors.AsSpan(i * _dimensions, _dimensions).CopyTo(_vectors.AsSpan(kept * _dimensions, _dimensions));
                    _signs.AsSpan(i * _words, _words).CopyTo(_signs.AsSpan(kept * _words, _words));
                }
                kept++;
            }
            Array.Clear(_entries, kept, _count - kept);
            _count = kept;
            _removed = 0;
            _byKey.Clear();
            for (int i = 0; i < _count; i++)
            {
                _byKey[_entries[i]!.EntryKey] = i;
            }
        }

        public SemanticCandidate[] Search(ReadOnlySpan<float> query, int count, long now)
        {
            lock (_gate)
            {
                if (_count == 0 || query.Length != _dimensions || count <= 0)
                {
                    return [];
                }
                int[]? rented = null;
                try
                {
                    ReadOnlySpan<int> shortlist = _count <= ExactLimit ? default : rented = ShortlistOf(query);
                    int scored = _count <= ExactLimit ? _count : shortlist.Length;
                    // The best few, kept sorted in a small array: count is a handful, the partition may be large.
                    Span<float> bestScores = stackalloc float[Math.Min(count, 64)];
                    Span<int> bestAt = stackalloc int[bestScores.Length];
                    Span<float> vector = _dimensions <= 2048 ? stackalloc float[_dimensions] : new float[_dimensions];
                    int found = 0;
                    for (int n = 0; n < scored; n++)
                    {
                        int i = _count <= ExactLimit ? n : shortlist[n];
                        if (i < 0)
                        {
                            break; // the end of the shortlist
                        }
                        if (_entries[i] is null || _expires[i] <= now)
                        {
                            continue;
                        }
                        System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(_vectors.AsSpan(i * _dimensions, _dimensions), vector);
                        float score = TensorPrimitives.Dot(query, vector);
                        if (found == bestScores.Length && score <= bestScores[found - 1])
                        {
                            continue;
                        }
                        int slot = found < bestScores.Length ? found++ : found - 1;
                        while (slot > 0 && bestScores[slot - 1] < score)
                        {
                            bestScores[slot] = bestScores[slot - 1];
                            bestAt[slot] = bestAt[slot - 1];
                            slot--;
                        }
                        bestScores[slot] = score;
                        bestAt[slot] = i;
                    }
                    var candidates = new SemanticCandidate[found];
                    for (int i = 0; i < found; i++)
                    {
                        candidates[i] = new SemanticCandidate(_entries[bestAt[i]]!, bestScores[i]);
                    }
                    return candidates;
                }
                finally
                {
                    if (rented is not null)
                    {
                        System.Buffers.ArrayPool<int>.Shared.Return(rented);
                    }
                }
            }
        }

        /// <summary>
        /// The entries whose signs are closest to the query's: about <see cref="Shortlist"/> of them (all
        /// of those at the cut-off distance, up to four times that), ended by -1 when fewer. A rented array.
        /// </summary>
        private int[] ShortlistOf(ReadOnlySpan<float> query)
        {
            Span<ulong> signs = stackalloc ulong[_words];
            Signs(query, signs);
            int[] distances = System.Buffers.ArrayPool<int>.Shared.Rent(_count);
            Span<int> histogram = stackalloc int[_dimensions + 1];
            histogram.Clear();
            ReadOnlySpan<ulong> all = _signs.AsSpan(0, _count * _words);
            for (int i = 0; i < _count; i++)
            {
                ReadOnlySpan<ulong> mine = all.Slice(i * _words, _words);
                int distance = 0;
                for (int w = 0; w < mine.Length; w++)
                {
                    distance += System.Numerics.BitOperations.PopCount(mine[w] ^ signs[w]);
                }
                distances[i] = distance;
                histogram[distance]++;
            }
            int cutoff = 0;
            for (int total = 0; cutoff < histogram.Length; cutoff++)
            {
                total += histogram[cutoff];
                if (total >= Shortlist)
                {
                    break;
                }
            }
            int limit = Shortlist * 4;
            int[] shortlist = System.Buffers.ArrayPool<int>.Shared.Rent(limit + 1);
            int taken = 0;
            for (int i = 0; i < _count && taken < limit; i++)
            {
                if (distances[i] <= cutoff)
                {
                    shortlist[taken++] = i;
                }
            }
            shortlist[taken] = -1;
            System.Buffers.ArrayPool<int>.Shared.Return(distances);
            return shortlist;
        }
    }
}
