namespace LlmCache;

/// <summary>
/// Where the semantic cache finds stored calls close to a new one. Every search and every entry is
/// scoped to a partition: the hash of everything a call keys exactly (method, other parameters,
/// instance state, tenant, namespace), so only calls that differ in the compared text alone are ever
/// candidates. An index holds vectors and the data the guards read, never answers: the answer is read
/// from the cache by <see cref="SemanticIndexEntry.EntryKey"/>, so whatever removes an entry (expiry, a
/// key, tag, tenant or namespace removal) removes its semantic hits too.
/// </summary>
/// <remarks>
/// The embedded index (the default) searches in process and is persisted and shared through a tier that
/// implements <see cref="ISemanticIndexLog"/>. Implement this interface to keep large partitions in a
/// vector database.
/// </remarks>
public interface ISemanticIndex
{
    /// <summary>The stored entries of <paramref name="partition"/> closest to <paramref name="vector"/>, best first, at most <paramref name="count"/>.</summary>
    /// <param name="partition">The partition searched.</param>
    /// <param name="vector">The query's embedding, L2-normalised.</param>
    /// <param name="count">How many candidates to return at most.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The candidates with their cosine similarity to the query.</returns>
    ValueTask<IReadOnlyList<SemanticCandidate>> SearchAsync(string partition, ReadOnlyMemory<float> vector, int count, CancellationToken cancellationToken);

    /// <summary>Adds an entry to <paramref name="partition"/>, replacing one with the same <see cref="SemanticIndexEntry.EntryKey"/>.</summary>
    /// <param name="partition">The partition the entry belongs to.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is added.</returns>
    ValueTask AddAsync(string partition, SemanticIndexEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes the entry of <paramref name="entryKey"/> from <paramref name="partition"/>, if present.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="entryKey">The cache key of the entry.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the entry is removed.</returns>
    ValueTask RemoveAsync(string partition, string entryKey, CancellationToken cancellationToken);
}

/// <summary>One stored call in a semantic index.</summary>
/// <param name="EntryKey">The cache key of the call's answer.</param>
/// <param name="Vector">The embedding of the call's compared text, L2-normalised.</param>
/// <param name="Features">What the guards compare (numbers, negation, quotes, names), in the runtime's canonical form.</param>
/// <param name="AnswerHash">A hash of the answer: candidates with the same answer never make a match ambiguous.</param>
/// <param name="Expires">When the answer's entry leaves the tiers; the index may forget the entry then.</param>
public sealed record SemanticIndexEntry(string EntryKey, ReadOnlyMemory<float> Vector, string Features, ulong AnswerHash, DateTimeOffset Expires);

/// <summary>A stored call found by a search, with its cosine similarity to the query.</summary>
/// <param name="Entry">The stored call.</param>
/// <param name="Similarity">Cosine similarity to the query, from -1 to 1.</param>
public readonly record struct SemanticCandidate(SemanticIndexEntry Entry, float Similarity);

/// <summary>
/// An append-only log of semantic index entries per partition, kept by a tier (the disk tier, Redis):
/// the embedded index writes every entry it adds and reads what others added, so its partitions survive
/// a restart and are shared by every process on the tier.
/// </summary>
public interface ISemanticIndexLog
{
    /// <summary>Appends one record to <paramref name="partition"/>'s log, which is kept at least <paramref name="keepFor"/>.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="record">The record's bytes (opaque to the tier).</param>
    /// <param name="keepFor">How long the record must stay readable.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the record is written.</returns>
    ValueTask AppendAsync(string partition, ReadOnlyMemory<byte> record, TimeSpan keepFor, CancellationToken cancellationToken);

    /// <summary>The records of <paramref name="partition"/> after position <paramref name="from"/> (0: all), in order.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="from">The position returned by the previous read (<see cref="SemanticLogPage.Next"/>), or 0.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records and the position to read from next.</returns>
    ValueTask<SemanticLogPage> ReadAsync(string partition, long from, CancellationToken cancellationToken);
}

/// <summary>Records read from a <see cref="ISemanticIndexLog"/>.</summary>
/// <param name="Records">The records, oldest first.</param>
/// <param name="Next">The position to read from next time.</param>
/// <param name="Restarted">True when the log no longer holds what was read before (it expired and began again): the reader starts over.</param>
public readonly record struct SemanticLogPage(IReadOnlyList<byte[]> Records, long Next, bool Restarted = false);
