using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// Stores a <see cref="GeneratedEmbeddings{TEmbedding}"/> whole. System.Text.Json sees a list and would
/// keep only the embeddings, so a replayed answer would lose its <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>
/// and <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/>: an answer that differs from
/// the one the model gave. Written as <c>{"embeddings":[…],"usage":…,"additionalProperties":…}</c>.
/// </summary>
internal sealed class GeneratedEmbeddingsConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(GeneratedEmbeddings<>);

    public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter?)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]));

    private sealed class Converter<TEmbedding> : JsonConverter<GeneratedEmbeddings<TEmbedding>>
        where TEmbedding : Embedding
    {
        public override GeneratedEmbeddings<TEmbedding>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("Stored embeddings are not an object.");
            }
            var result = new GeneratedEmbeddings<TEmbedding>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string? name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "embeddings":
                        foreach (TEmbedding embedding in JsonSerializer.Deserialize<List<TEmbedding>>(ref reader, options) ?? [])
                        {
                            result.Add(embedding);
                        }
                        break;
                    case "usage":
                        result.Usage = JsonSerializer.Deserialize<UsageDetails>(ref reader, options);
                        break;
                    case "additionalProperties":
                        result.AdditionalProperties = JsonSerializer.Deserialize<AdditionalPropertiesDictionary>(ref reader, options);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            return result;
        }

        public override void Write(Utf8JsonWriter writer, GeneratedEmbeddings<TEmbedding> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("embeddings");
            JsonSerializer.Serialize(writer, (IList<TEmbedding>)value, options);
            if (value.Usage is not null)
            {
                writer.WritePropertyName("usage");
                JsonSerializer.Serialize(writer, value.Usage, options);
            }
            if (value.AdditionalProperties is not null)
            {
                writer.WritePropertyName("additionalProperties");
                JsonSerializer.Serialize(writer, value.AdditionalProperties, options);
            }
            writer.WriteEndObject();
        }
    }
}
