using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmCache;

/// <summary>
/// Converters for the System.ClientModel types a cached method may return: a type that is its own
/// <see cref="IJsonModel{T}"/> (it reads and writes itself), and <see cref="ClientResult{T}"/>.
/// </summary>
internal sealed class ClientModelConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => IsModel(typeToConvert) || IsClientResult(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        Type converter = IsModel(typeToConvert)
            ? typeof(JsonModelConverter<>).MakeGenericType(typeToConvert)
            : typeof(ClientResultConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]);
        return (JsonConverter)Activator.CreateInstance(converter)!;
    }

    /// <summary>
    /// Whether the type reads itself: it implements <c>IJsonModel</c> of itself, and can be created
    /// (an abstract model names the proxy type it is read through, as <see cref="ModelReaderWriter"/>
    /// requires). A class derived from a model implements only its base's, whose reader would make a
    /// base instance, so it is not one.
    /// </summary>
    public static bool IsModel(Type type)
    {
        if (type.IsInterface || type.ContainsGenericParameters
            || (type.IsAbstract && !Attribute.IsDefined(type, typeof(PersistableModelProxyAttribute), inherit: false)))
        {
            return false;
        }
        foreach (Type contract in type.GetInterfaces())
        {
            if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IJsonModel<>) && contract.GetGenericArguments()[0] == type)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the type is <see cref="ClientResult{T}"/> itself (a subclass carries members of its own).</summary>
    public static bool IsClientResult(Type type) =>
        type.IsGenericType && !type.ContainsGenericParameters && type.GetGenericTypeDefinition() == typeof(ClientResult<>);
}
