using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.VectorData;

namespace LlmCache.VectorData;

/// <summary>
/// A semantic index held in any <see cref="VectorStoreCollection{TKey, TRecord}"/> (Qdrant,
/// Postgres/pgvector, Azure AI Search …), for partitions too large to search in process. Set it as
/// <see cref="SemanticCacheOptions.Index"/>. Every search filters on the partition; the similarity of
/// each result is computed here from its vector (the store's own score is not trusted to be cosine
/// similarity), so the runtime's threshold, guards and margin mean the same on every store.
/// </summary>
/// <typeparam name="TKey">The store's key type: <see cref="Guid"/> or <see cref="string"/>.</typeparam>
public sealed class VectorStoreSemanticIndex<TKey> : ISemanticIndex
    where TKey : notnull
{
    private readonly VectorStoreCollection<TKey, SemanticVectorRecord<TKey>> _collection;
    private readonly TimeProvider _time;
    private readonly Func<string, string, TKey> _keyOf;
    private int _ensured;

    /// <summary>Creates the index over <paramref name="collection"/> (created on first use when missing).</summary>
    /// <param name="collection">A collection with the schema of <see cref="SemanticVectorRecord.Definition{TKey}"/>.</param>
    /// <param name="timeProvider">The clock expired entries are judged by.</param>
    public VectorStoreSemanticIndex(VectorStoreCollection<TKey, SemanticVectorRecord<TKey>> collection, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        _collection = collection;
        _time = timeProvider ?? TimeProvider.System;
        _keyOf = typeof(TKey) == typeof(Guid) ? (Func<string, string, TKey>)(object)(Func<string, string, Guid>)GuidOf
            : typeof(TKey) == typeof(string) ? (Func<string, string, TKey>)(object)(Func<string, string, string>)((p, k) => GuidOf(p, k).ToString("N"))
            : throw new NotSupportedException($"Keys of type {typeof(TKey)} are not supported: use Guid or string.");
    }

    /// <summary>A record's key: a hash of its partition and entry key, so an entry stored again replaces itself.</summary>
    private static Guid GuidOf(string partition, string entryKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(partition + "\n" + entryKey), hash);
        return new Guid(hash[..16]);
    }

    private async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _ensured) == 0)
        {
            await _collection.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _ensured, 1);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SemanticCandidate>> SearchAsync(string partition, ReadOnlyMemory<float> vector, int count,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        long now = _time.GetUtcNow().UtcTicks;
        var candidates = new List<SemanticCandidate>(count);
        var options = new VectorSearchOptions<SemanticVectorRecord<TKey>> { Filter = r => r.Partition == partition, IncludeVectors = true };
        await foreach (VectorSearchResult<SemanticVectorRecord<TKey>> result in _collection.SearchAsync(vector, count, options, cancellationToken)
            .ConfigureAwait(false))
        {
            SemanticVectorRecord<TKey> record = result.Record;
            // A store whose filter is looser than asked, or an expired record: never a candidate.
            if (record.Partition != partition || record.ExpiresTicks <= now || record.Vector.Length != vector.Length)
            {
                continue;
            }
            float similarity = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(vector.Span, record.Vector.Span);
            candidates.Add(new SemanticCandidate(
                new SemanticIndexEntry(record.EntryKey, ReadOnlyMemory<float>.Empty, record.Features, unchecked((ulong)record.AnswerHash),
                    new DateTimeOffset(record.ExpiresTicks, TimeSpan.Zero)),
                similarity));
        }
        candidates.Sort(static (a, b) => b.Similarity.CompareTo(a.Similarity));
        return candidates;
    }

    /// <inheritdoc />
    public async ValueTask AddAsync(string partition, SemanticIndexEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _collection.UpsertAsync(new SemanticVectorRecord<TKey>
        {
            Id = _keyOf(partition, entry.EntryKey),
            Partition = partition,
            EntryKey = entry.EntryKey,
            Features = entry.Features,
            AnswerHash = unchecked((long)entry.AnswerHash),
            ExpiresTicks = entry.Expires.UtcTicks,
            Vector = entry.Vector.ToArray(),
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string partition, string entryKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(entryKey);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _collection.DeleteAsync(_keyOf(partition, entryKey), cancellationToken).ConfigureAwait(false);
    }
}
