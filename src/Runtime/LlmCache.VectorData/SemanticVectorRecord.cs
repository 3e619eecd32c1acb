using Microsoft.Extensions.VectorData;

namespace LlmCache.VectorData;

/// <summary>
/// One stored call of a semantic partition, as a vector store keeps it. Get the collection with
/// <see cref="SemanticVectorRecord.Definition{TKey}"/>, e.g. <c>store.GetCollection&lt;Guid, SemanticVectorRecord&lt;Guid&gt;&gt;("llmcache-semantic", SemanticVectorRecord.Definition&lt;Guid&gt;(384))</c>.
/// </summary>
/// <typeparam name="TKey">The store's key type: <see cref="Guid"/> (Qdrant, Postgres) or <see cref="string"/> (Azure AI Search and most others).</typeparam>
public sealed class SemanticVectorRecord<TKey>
    where TKey : notnull
{
    /// <summary>Derived from the partition and the entry key (<see cref="VectorStoreSemanticIndex{TKey}"/>).</summary>
    public TKey Id { get; set; } = default!;

    /// <summary>The partition (the hash of everything a call keys exactly): every search filters on it.</summary>
    public string Partition { get; set; } = "";

    /// <summary>The cache key of the answer.</summary>
    public string EntryKey { get; set; } = "";

    /// <summary>What the guards compare.</summary>
    public string Features { get; set; } = "";

    /// <summary>A hash of the answer (the margin guard), as a signed number most stores can hold.</summary>
    public long AnswerHash { get; set; }

    /// <summary>When the answer leaves the cache, in UTC ticks.</summary>
    public long ExpiresTicks { get; set; }

    /// <summary>The embedding of the compared text, L2-normalised.</summary>
    public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>The schema of <see cref="SemanticVectorRecord{TKey}"/> collections.</summary>
public static class SemanticVectorRecord
{
    /// <summary>The collection's schema: the partition indexed for filtering, the vector compared by cosine similarity.</summary>
    /// <typeparam name="TKey">The store's key type.</typeparam>
    /// <param name="dimensions">The embedding model's dimensions (384 for all-MiniLM-L6-v2).</param>
    /// <param name="indexKind">The vector index the store builds (<see cref="IndexKind"/>); null for the store's default.</param>
    /// <returns>The definition.</returns>
    public static VectorStoreCollectionDefinition Definition<TKey>(int dimensions, string? indexKind = null)
        where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        return new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(SemanticVectorRecord<TKey>.Id), typeof(TKey)),
                new VectorStoreDataProperty(nameof(SemanticVectorRecord<TKey>.Partition), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(SemanticVectorRecord<TKey>.EntryKey), typeof(string)),
                new VectorStoreDataProperty(nameof(SemanticVectorRecord<TKey>.Features), typeof(string)),
                new VectorStoreDataProperty(nameof(SemanticVectorRecord<TKey>.AnswerHash), typeof(long)),
                new VectorStoreDataProperty(nameof(SemanticVectorRecord<TKey>.ExpiresTicks), typeof(long)),
                new VectorStoreVectorProperty(nameof(SemanticVectorRecord<TKey>.Vector), typeof(ReadOnlyMemory<float>), dimensions)
                {
                    DistanceFunction = DistanceFunction.CosineSimilarity,
                    IndexKind = indexKind,
                },
            ],
        };
    }
}
