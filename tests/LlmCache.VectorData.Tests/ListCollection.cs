using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace LlmCache.VectorData.Tests;

/// <summary>
/// A vector store collection in a list, written for these tests: exact cosine search, the filter
/// expression compiled and applied, vectors returned only when asked. It also counts searches, so a
/// test can see the index asked the store.
/// </summary>
public sealed class ListCollection<TKey>(string name) : VectorStoreCollection<TKey, SemanticVectorRecord<TKey>>
    where TKey : notnull
{
    private readonly Dictionary<TKey, SemanticVectorRecord<TKey>> _records = [];

    public int Searches { get; private set; }

    public bool Exists { get; private set; }

    public IReadOnlyCollection<SemanticVectorRecord<TKey>> Records => _records.Values;

    public override string Name => name;

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Exists);

    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        Exists = true;
        return Task.CompletedTask;
    }

    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        Exists = false;
        _records.Clear();
        return Task.CompletedTask;
    }

    public override Task<SemanticVectorRecord<TKey>?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(_records.GetValueOrDefault(key));

    public override async IAsyncEnumerable<SemanticVectorRecord<TKey>> GetAsync(Expression<Func<SemanticVectorRecord<TKey>, bool>> filter, int top,
        FilteredRecordRetrievalOptions<SemanticVectorRecord<TKey>>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (SemanticVectorRecord<TKey> record in _records.Values.Where(filter.Compile()).Take(top))
        {
            yield return record;
        }
    }

    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        Assert.True(Exists, "the collection is used before it exists");
        _records.Remove(key);
        return Task.CompletedTask;
    }

    public override Task UpsertAsync(SemanticVectorRecord<TKey> record, CancellationToken cancellationToken = default)
    {
        Assert.True(Exists, "the collection is used before it exists");
        _records[record.Id] = record;
        return Task.CompletedTask;
    }

    public override Task UpsertAsync(IEnumerable<SemanticVectorRecord<TKey>> records, CancellationToken cancellationToken = default)
    {
        foreach (SemanticVectorRecord<TKey> record in records)
        {
            _records[record.Id] = record;
        }
        return Task.CompletedTask;
    }

    public override async IAsyncEnumerable<VectorSearchResult<SemanticVectorRecord<TKey>>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<SemanticVectorRecord<TKey>>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        Searches++;
        ReadOnlyMemory<float> query = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            _ => throw new NotSupportedException(typeof(TInput).Name),
        };
        Func<SemanticVectorRecord<TKey>, bool> filter = options?.Filter?.Compile() ?? (_ => true);
        foreach ((SemanticVectorRecord<TKey> record, float score) in _records.Values.Where(filter)
            .Select(r => (r, System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query.Span, r.Vector.Span)))
            .OrderByDescending(x => x.Item2).Take(top))
        {
            SemanticVectorRecord<TKey> returned = options?.IncludeVectors == true ? record : new SemanticVectorRecord<TKey>
            {
                Id = record.Id, Partition = record.Partition, EntryKey = record.EntryKey, Features = record.Features,
                AnswerHash = record.AnswerHash, ExpiresTicks = record.ExpiresTicks,
            };
            yield return new VectorSearchResult<SemanticVectorRecord<TKey>>(returned, score);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) => null;
}
