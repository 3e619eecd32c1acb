using System.Text.Json;

namespace LlmCache;

/// <summary>
/// A converter of the runtime's own whose values are written by a contract the serializer cannot see
/// into (a provider SDK model writes itself), so it says itself whether a value reads back as the
/// type it really has. <see cref="ResultTypes.EnsureReadBackAsItself"/> asks it instead of walking members.
/// </summary>
internal interface IReadBackCheck
{
    /// <summary>Throws <see cref="NotSupportedException"/> when <paramref name="value"/> would be read back as another type, or lose a member.</summary>
    /// <param name="value">The value, held as the converter's type.</param>
    /// <param name="options">The options the value is serialized with.</param>
    /// <param name="depth">How deep the value lies in the result.</param>
    /// <param name="path">Where the value lies in the result, for the message.</param>
    void EnsureReadBackAsItself(object value, JsonSerializerOptions options, int depth, string path);
}
