using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>Per-call cache controls carried by <see cref="EmbeddingGenerationOptions"/> to <see cref="LlmCacheEmbeddingGenerator{TInput, TEmbedding}"/>.</summary>
public static class EmbeddingGenerationOptionsCacheControl
{
    /// <summary>
    /// Attaches <paramref name="control"/> (no-cache, no-store, TTL, max age, bypass) to this request; it
    /// applies to every input of the batch. It never enters the key and never reaches the provider: the
    /// cache takes it out first. It combines with an ambient <see cref="LlmCacheScope"/>, the stricter
    /// setting winning.
    /// </summary>
    /// <param name="options">The request's options.</param>
    /// <param name="control">The controls for this call.</param>
    /// <returns>The same options, for chaining.</returns>
    public static EmbeddingGenerationOptions WithCacheControl(this EmbeddingGenerationOptions options, CacheControl control)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(control);
        control.Validate();
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[LlmCacheProperties.Control] = control;
        return options;
    }

    /// <summary>The options without the control (a copy when there was one, so the caller's object is untouched), and the control.</summary>
    internal static (EmbeddingGenerationOptions? Options, CacheControl? Control) Take(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(LlmCacheProperties.Control, out object? value)
            || value is not CacheControl control)
        {
            return (options, null);
        }
        EmbeddingGenerationOptions stripped = options.Clone();
        var rest = new AdditionalPropertiesDictionary();
        foreach (KeyValuePair<string, object?> property in properties)
        {
            if (property.Key != LlmCacheProperties.Control)
            {
                rest[property.Key] = property.Value;
            }
        }
        stripped.AdditionalProperties = rest.Count == 0 ? null : rest;
        return (stripped, control);
    }
}
