namespace LlmCache;

/// <summary>
/// Implemented by a type that writes its own contribution to a cache key. The generator uses it in
/// preference to reading the type's properties, and it makes keyable a type the generator could not
/// key otherwise (an interface, an abstract class, a type with private state).
/// </summary>
public interface ICacheKeyWritable
{
    /// <summary>Writes every value of this instance that can change the cached result.</summary>
    /// <param name="writer">The key writer; use its typed <c>Write…</c> methods.</param>
    void WriteCacheKey(KeyWriter writer);
}
