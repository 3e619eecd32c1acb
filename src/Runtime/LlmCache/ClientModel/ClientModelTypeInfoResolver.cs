using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LlmCache;

/// <summary>
/// The last link of the runtime's resolver chain: a contract for a System.ClientModel type that the
/// configured resolver does not know (a source-generated context lists only its own types), built
/// on the converter the options' factory makes for it.
/// </summary>
internal sealed class ClientModelTypeInfoResolver(ClientModelConverterFactory factory) : IJsonTypeInfoResolver
{
    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
        factory.CanConvert(type) ? JsonTypeInfo.CreateJsonTypeInfo(type, options) : null;
}
