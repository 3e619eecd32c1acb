using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace LlmCache;

/// <summary>
/// A <see cref="ClientResult{T}"/> as the JSON of its value. Read back, it is a result whose value is
/// the stored one and whose raw response is a 200 carrying that JSON (<see cref="StoredPipelineResponse"/>):
/// the provider's headers and original bytes are not kept.
/// </summary>
internal sealed class ClientResultConverter<T> : JsonConverter<ClientResult<T>>, IReadBackCheck
{
    public override ClientResult<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        BinaryData json = ClientModelJson.ReadRawValue(ref reader);
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        T? value = typeInfo.Converter is IJsonBytesReader<T> model
            ? model.Read(json)
            : JsonSerializer.Deserialize(json.ToMemory().Span, typeInfo);
        var response = new StoredPipelineResponse(json);
        return value is null ? ClientResult.FromOptionalValue(value, response)! : ClientResult.FromValue(value, response);
    }

    public override void Write(Utf8JsonWriter writer, ClientResult<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));

    /// <summary>A subclass of the result would come back as the result itself; the value is checked as any other.</summary>
    public void EnsureReadBackAsItself(object value, JsonSerializerOptions options, int depth, string path)
    {
        if (value.GetType() != typeof(ClientResult<T>))
        {
            throw new NotSupportedException(
                $"A '{value.GetType()}' held as '{typeof(ClientResult<T>)}' ({path}) would be read back as '{typeof(ClientResult<T>)}' and lose its own members.");
        }
        if (((ClientResult<T>)value).Value is { } inner)
        {
            ResultTypes.EnsureReadBackAsItself(inner, typeof(T), options, depth + 1, path + ".Value");
        }
    }
}
