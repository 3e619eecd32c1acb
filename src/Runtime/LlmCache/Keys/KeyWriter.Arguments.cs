using System.ComponentModel;

namespace LlmCache;

public sealed partial class KeyWriter
{
    /// <summary>
    /// Set while writing a request that must reach the model whatever the cache holds (a poll for a
    /// background response, which carries a continuation token): the call then runs uncached, and
    /// that is neither an error nor a miss.
    /// </summary>
    internal bool PassThrough { get; set; }

    /// <summary>
    /// Makes a sequence argument safe to read twice (generated code only): a collection is returned
    /// as it is; any other sequence — an iterator or a query that may be single-use, or different on
    /// a second pass — is read once into a list that both the key and the method then see.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The argument.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(items))]
    public static IEnumerable<T>? Materialize<T>(IEnumerable<T>? items) => items switch
    {
        null => null,
        T[] or ICollection<T> or IReadOnlyCollection<T> => items,
        _ => new List<T>(items),
    };
}
