using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmCache;

/// <summary>Reads a value of <typeparamref name="T"/> from its JSON without a <see cref="Utf8JsonReader"/>.</summary>
internal interface IJsonBytesReader<T>
{
    T Read(BinaryData json);
}

/// <summary>
/// A provider SDK model (<see cref="IJsonModel{T}"/>) as JSON: written by the model itself in the JSON
/// format, read back with <see cref="ModelReaderWriter"/>, which creates the model (or the proxy an
/// abstract model names) and lets it read itself, unknown members included.
/// </summary>
/// <remarks>
/// Reading uses ModelReaderWriter's reflection-based overload: it needs no
/// <see cref="ModelReaderWriterContext"/> from each SDK, and works for every model with a parameterless
/// constructor (public or not) or a proxy, as the generated SDK models have.
/// </remarks>
internal sealed class JsonModelConverter<T> : JsonConverter<T>, IJsonBytesReader<T>, IReadBackCheck
    where T : IJsonModel<T>
{
    // Which type a value of each runtime type reads back as; decided once per type from the first value.
    private readonly ConcurrentDictionary<Type, Type> _readsBackAs = new();

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ClientModelJson.ReadRawValue(ref reader));

    public T Read(BinaryData json) =>
        ModelReaderWriter.Read<T>(json, ClientModelJson.Format)
        ?? throw new JsonException($"'{typeof(T)}' read nothing from its JSON.");

    /// <summary>
    /// The model's own bytes, as <see cref="ModelReaderWriter"/> writes them, whatever the outer
    /// writer's encoder: what a <c>ClientResult</c> hit carries as its body is then the model's JSON.
    /// </summary>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Write(ClientModelJson.Format).ToMemory().Span, skipInputValidation: true);

    /// <summary>
    /// A model reads back as the type its own reader makes, which the JSON contract cannot show: a
    /// subclass of a model class comes back as the model class, while a derived message held as its
    /// base (a user message as <c>ChatMessage</c>) comes back as itself through its discriminator. Found
    /// by one round trip per runtime type.
    /// </summary>
    public void EnsureReadBackAsItself(object value, JsonSerializerOptions options, int depth, string path)
    {
        Type actual = value.GetType();
        Type readAs = _readsBackAs.GetOrAdd(actual, static (_, state) => state.Converter.Read(((T)state.Value).Write(ClientModelJson.Format))!.GetType(),
            (Converter: this, Value: value));
        if (readAs != actual)
        {
            throw new NotSupportedException(
                $"A '{actual}' held as '{typeof(T)}' ({path}) is read back by the model's own reader as '{readAs}' and would lose its own members.");
        }
    }
}
