using System;
using System.Linq;

namespace LlmCache.Generators;

/// <summary>
/// The names the generated class of a cached method declares or refers to, in one place: what an interceptor's
/// own name must not be (<see cref="IsMember"/>), and what a generic method's type parameter must not be, being in
/// scope inside that class's generic methods (<see cref="IsTakenInMethodScope"/>). The emitter spells each name
/// where it writes it; <c>GeneratedMemberNameTests</c> tries every identifier of a generated class against these.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>Members of the generated class: the descriptor, the miss, the key and tenant writers, the semantic text and accessors.</summary>
    public static bool IsMember(string name) =>
        name is "M" or "W" or "F" or "WriteTenant" or "WritePartition" or "SemanticText" or "RuntimeField" or "RuntimeProperty"
        || name.StartsWith("State_", StringComparison.Ordinal);

    /// <summary>
    /// Names a type parameter of a cached generic method would hide or clash with inside its generated copy: the members,
    /// the shape writers (S0, W0, …), the file's <c>Llmc…</c> aliases, and the generated methods' parameters and locals
    /// (a parameter of a type parameter's name is CS0412).
    /// </summary>
    public static bool IsTakenInMethodScope(string name) =>
        IsMember(name)
        || name is "s" or "ct" or "w" or "v" or "i" or "item"
        || name.StartsWith("Llmc", StringComparison.Ordinal)
        || (name.Length > 1 && name[0] is 'S' or 'W' && name.Skip(1).All(char.IsDigit));
}
