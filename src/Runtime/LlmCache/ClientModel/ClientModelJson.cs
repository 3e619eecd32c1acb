using System.ClientModel.Primitives;
using System.Text.Json;
#if NET9_0_OR_GREATER
using System.Runtime.InteropServices;
#endif

namespace LlmCache;

/// <summary>
/// How results built on System.ClientModel (provider SDK models such as OpenAI's <c>ChatCompletion</c>,
/// and <c>ClientResult&lt;T&gt;</c>) travel through the runtime's JSON: each model writes and reads
/// itself in <see cref="ModelReaderWriter"/>'s JSON format ("J"), inside whatever JSON holds it.
/// </summary>
internal static class ClientModelJson
{
    /// <summary>The models' JSON format.</summary>
    public static ModelReaderWriterOptions Format { get; } = ModelReaderWriterOptions.Json;

    /// <summary>
    /// The options the runtime serializes and copies values with: the application's
    /// <paramref name="configured"/> options, plus converters for System.ClientModel types. The
    /// application's own converters come first, so one it registered for a model type wins; the
    /// converters also answer when the configured resolver (a source-generated context, say) does not
    /// know a model type at all.
    /// </summary>
    public static JsonSerializerOptions With(JsonSerializerOptions configured)
    {
        var options = new JsonSerializerOptions(configured);
        var factory = new ClientModelConverterFactory();
        options.Converters.Add(factory);
        // Not a System.ClientModel type, but it needs the same care: a list with data of its own.
        options.Converters.Add(new GeneratedEmbeddingsConverterFactory());
        options.TypeInfoResolverChain.Add(new ClientModelTypeInfoResolver(factory));
        return options;
    }

    /// <summary>The raw UTF-8 JSON of the value at the reader, which moves past it.</summary>
    public static BinaryData ReadRawValue(ref Utf8JsonReader reader)
    {
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
#if NET9_0_OR_GREATER
        return new BinaryData(JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
#else
        return BinaryData.FromString(document.RootElement.GetRawText());
#endif
    }
}
