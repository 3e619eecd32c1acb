using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>Per-call cache controls carried by <see cref="ChatOptions"/> to <see cref="LlmCacheChatClient"/>.</summary>
public static class ChatOptionsCacheControl
{
    /// <summary>The additional property that carries the control; the cache takes it out before keying or forwarding.</summary>
    public const string PropertyName = LlmCacheProperties.Control;

    /// <summary>
    /// Attaches <paramref name="control"/> (no-cache, no-store, TTL, max age, bypass) to this request.
    /// It never enters the key and never reaches the provider: the cache takes it out first. It
    /// combines with an ambient <see cref="LlmCacheScope"/>, the stricter setting winning.
    /// </summary>
    /// <param name="options">The request's options.</param>
    /// <param name="control">The controls for this call.</param>
    /// <returns>The same options, for chaining.</returns>
    public static ChatOptions WithCacheControl(this ChatOptions options, CacheControl control)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(control);
        control.Validate();
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[PropertyName] = control;
        return options;
    }

    /// <summary>The options without the control (a copy when there was one, so the caller's object is untouched), and the control.</summary>
    internal static (ChatOptions? Options, CacheControl? Control) Take(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(PropertyName, out object? value)
            || value is not CacheControl control)
        {
            return (options, null);
        }
        ChatOptions stripped = options.Clone();
        var rest = new AdditionalPropertiesDictionary();
        foreach (KeyValuePair<string, object?> property in properties)
        {
            if (property.Key != PropertyName)
            {
                rest[property.Key] = property.Value;
            }
        }
        stripped.AdditionalProperties = rest.Count == 0 ? null : rest;
        return (stripped, control);
    }
}
