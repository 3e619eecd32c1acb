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
/// A provider SDK model (<see cref="IJsonModel{T}"/>) as JSON, the way <see cref="ModelReaderWriter"/>
/// handles it in its JSON format ("J"): written by the model itself, and read by a fresh instance of
/// the model (or of the proxy type an abstract model names), which reads itself, unknown members included.
/// </summary>
/// <remarks>
/// The instance is made here rather than by <c>ModelReaderWriter.Read</c>: its reflection-based
/// overload looks the type up again on every call (about three times the cost of the read itself),
/// and the overload that takes a <see cref="ModelReaderWriterContext"/> needs each SDK's own context,
/// which the runtime cannot know. Like ModelReaderWriter, this needs a parameterless constructor,
/// public or not, which the generated SDK models have; a model without one is not cached.
/// </remarks>
internal sealed class JsonModelConverter<T> : JsonConverter<T>, IJsonBytesReader<T>, IReadBackCheck
    where T : IJsonModel<T>
{
    // What reads a model: the type itself, or for an abstract model the proxy it names.
    private static readonly Type s_reader =
        typeof(T).GetCustomAttributes(typeof(PersistableModelProxyAttribute), inherit: false) is [PersistableModelProxyAttribute proxy, ..]
            ? proxy.ProxyType
            : typeof(T);

    // Which type a value of each runtime type reads back as; decided once per type from the first value.
    private readonly ConcurrentDictionary<Type, Type> _readsBackAs = new();

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        NewReader().Create(ref reader, ClientModelJson.Format) ?? throw Nothing();

    public T Read(BinaryData json) => NewReader().Create(json, ClientModelJson.Format) ?? throw Nothing();

    private static IJsonModel<T> NewReader() => (IJsonModel<T>)Activator.CreateInstance(s_reader, nonPublic: true)!;

    private static JsonException Nothing() => new($"'{typeof(T)}' read nothing from its JSON.");

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
