using System.Buffers;
using System.ClientModel.Primitives;
using System.ComponentModel;
using System.Text.Json;

namespace LlmCache;

// Provider SDK models: keyed by the JSON they send, which is what the provider answers to.
public sealed partial class KeyWriter
{
    /// <summary>
    /// Writes a System.ClientModel model (an OpenAI or Azure SDK request type) by its runtime type and
    /// the JSON it writes of itself, so a derived message (a user message, a tool message) keys all of
    /// its own data.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void WriteJsonModel<T>(T? value) where T : IJsonModel<T>
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        var json = new ArrayBufferWriter<byte>();
        try
        {
            using var writer = new Utf8JsonWriter(json);
            value.Write(writer, ClientModelJson.Format);
        }
        catch (Exception ex) when (ex is not CacheKeyException)
        {
            throw new CacheKeyException($"A '{TypeNames.Of(value.GetType())}' could not write itself as JSON; the call is not cached.", ex);
        }
        WriteModel(value.GetType(), json.WrittenSpan);
    }

    /// <summary>
    /// Writes a value by its runtime type and its System.Text.Json form under the type's own
    /// converter (a provider SDK model that carries <c>[JsonConverter]</c>).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void WriteJsonValue<T>(T? value)
    {
        if (value is null)
        {
            WriteTag(KeyTag.Null);
            return;
        }
        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), s_modelJson);
        }
        catch (Exception ex) when (ex is not CacheKeyException)
        {
            throw new CacheKeyException($"A '{TypeNames.Of(value.GetType())}' has no JSON form; the call is not cached.", ex);
        }
        WriteModel(value.GetType(), json);
    }

    private static readonly JsonSerializerOptions s_modelJson = new(JsonSerializerDefaults.General);

    private void WriteModel(Type type, ReadOnlySpan<byte> json)
    {
        Enter();
        WriteTag(KeyTag.Model);
        WriteChars(KeyTag.Type, TypeNames.Of(type).AsSpan());
        WriteTagged32(KeyTag.Json, (uint)json.Length);
        WriteRaw(json);
        WriteTag(KeyTag.EndObject);
        _depth--;
    }
}
