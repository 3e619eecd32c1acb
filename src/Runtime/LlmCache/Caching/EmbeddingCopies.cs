using System.Collections;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// Deep copies of Microsoft.Extensions.AI's embeddings: a copy of the vector instead of a JSON round
/// trip, so a caller who writes into the array behind a returned vector never reaches the stored entry.
/// </summary>
internal static class EmbeddingCopies
{
    /// <summary>A copy of an embedding of exactly one of the library's vector types, or null for any other (copied by its contract).</summary>
    public static Embedding? Copy(Embedding source)
    {
        Embedding? copy = source switch
        {
            Embedding<float> single => new Embedding<float>(single.Vector.ToArray()),
            Embedding<double> @double => new Embedding<double>(@double.Vector.ToArray()),
            Embedding<Half> half => new Embedding<Half>(half.Vector.ToArray()),
            Embedding<byte> bytes => new Embedding<byte>(bytes.Vector.ToArray()),
            Embedding<sbyte> signed => new Embedding<sbyte>(signed.Vector.ToArray()),
            Embedding<int> integers => new Embedding<int>(integers.Vector.ToArray()),
            BinaryEmbedding binary => new BinaryEmbedding(new BitArray(binary.Vector)),
            _ => null,
        };
        if (copy is not null)
        {
            copy.CreatedAt = source.CreatedAt;
            copy.ModelId = source.ModelId;
            copy.AdditionalProperties = source.AdditionalProperties?.Clone();
        }
        return copy;
    }
}
