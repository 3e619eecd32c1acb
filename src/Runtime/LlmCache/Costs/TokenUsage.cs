using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>The tokens one answer cost the provider, and the model that answered, as the answer itself reports them.</summary>
internal readonly record struct TokenUsage(string? Model, long Input, long CachedInput, long Output)
{
    public bool IsEmpty => Input == 0 && Output == 0;
}

/// <summary>
/// Reads the usage a cached answer carries: Microsoft.Extensions.AI's responses, stream updates and
/// embeddings, and provider SDK results (OpenAI's <c>ChatCompletion</c>, Anthropic's <c>Message</c>,
/// and any answer with a <c>Usage</c> of input and output token counts and a <c>Model</c>), found once
/// per type. Types that carry none cost one static check per hit.
/// </summary>
internal static class UsageReader<T>
{
    private static readonly Func<T, TokenUsage>? s_read = Build();

    /// <summary>Whether answers of this type can report usage at all.</summary>
    public static bool Reports => s_read is not null;

    public static TokenUsage Of(T value) => s_read is { } read && value is not null ? read(value) : default;

    private static Func<T, TokenUsage>? Build()
    {
        Type type = typeof(T);
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum)
        {
            return null;
        }
        if (typeof(ChatResponse).IsAssignableFrom(type))
        {
            return static v => UsageReaders.FromDetails(((ChatResponse)(object)v!).ModelId, ((ChatResponse)(object)v!).Usage);
        }
        if (type == typeof(ChatResponseUpdate[]))
        {
            return static v => UsageReaders.FromUpdates((ChatResponseUpdate[])(object)v!);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(GeneratedEmbeddings<>))
        {
            return static v => UsageReaders.FromEmbeddings(v!);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.ClientModel.ClientResult<>))
        {
            PropertyInfo valueProperty = type.GetProperty("Value")!;
            Func<object, TokenUsage>? inner = UsageReaders.ByReflection(valueProperty.PropertyType);
            return inner is null ? null : v => valueProperty.GetValue(v) is { } model ? inner(model) : default;
        }
        Func<object, TokenUsage>? reflected = UsageReaders.ByReflection(type);
        return reflected is null ? null : v => reflected(v!);
    }
}

internal static class UsageReaders
{
    private static readonly ConcurrentDictionary<Type, Func<object, TokenUsage>?> s_reflected = new();

    public static TokenUsage FromDetails(string? model, UsageDetails? usage) => usage is null ? default
        : new TokenUsage(model, usage.InputTokenCount ?? 0, usage.CachedInputTokenCount ?? 0, usage.OutputTokenCount ?? 0);

    public static TokenUsage FromUpdates(ChatResponseUpdate[] updates)
    {
        string? model = null;
        long input = 0, cached = 0, output = 0;
        foreach (ChatResponseUpdate? update in updates)
        {
            if (update is null)
            {
                continue;
            }
            model ??= update.ModelId;
            foreach (AIContent content in update.Contents)
            {
                if (content is UsageContent { Details: { } details })
                {
                    input += details.InputTokenCount ?? 0;
                    cached += details.CachedInputTokenCount ?? 0;
                    output += details.OutputTokenCount ?? 0;
                }
            }
        }
        return new TokenUsage(model, input, cached, output);
    }

    public static TokenUsage FromEmbeddings(object embeddings)
    {
        UsageDetails? usage = (UsageDetails?)embeddings.GetType().GetProperty(nameof(GeneratedEmbeddings<Embedding>.Usage))!.GetValue(embeddings);
        string? model = embeddings is System.Collections.IEnumerable items ? items.OfType<Embedding>().FirstOrDefault()?.ModelId : null;
        return FromDetails(model, usage);
    }

    /// <summary>
    /// A reader for a provider SDK answer: a public <c>Usage</c> with input and output token counts
    /// (<c>InputTokenCount</c>/<c>OutputTokenCount</c> as OpenAI names them, <c>InputTokens</c>/<c>OutputTokens</c>
    /// as Anthropic does) and a <c>Model</c>; null when the type has none.
    /// </summary>
    public static Func<object, TokenUsage>? ByReflection(Type type) => s_reflected.GetOrAdd(type, static t =>
    {
        PropertyInfo? usage = t.GetProperty("Usage", BindingFlags.Public | BindingFlags.Instance);
        if (usage is null)
        {
            return null;
        }
        Type usageType = usage.PropertyType;
        PropertyInfo? input = Count(usageType, "InputTokenCount", "InputTokens", "PromptTokens");
        PropertyInfo? output = Count(usageType, "OutputTokenCount", "OutputTokens", "CompletionTokens");
        if (input is null || output is null)
        {
            return null;
        }
        PropertyInfo? cached = Count(usageType, "CacheReadInputTokens", "CachedInputTokenCount");
        PropertyInfo? details = usageType.GetProperty("InputTokenDetails", BindingFlags.Public | BindingFlags.Instance);
        PropertyInfo? detailsCached = details is null ? null : Count(details.PropertyType, "CachedTokenCount");
        PropertyInfo? model = t.GetProperty("Model", BindingFlags.Public | BindingFlags.Instance);
        return value =>
        {
            object? u = usage.GetValue(value);
            if (u is null)
            {
                return default;
            }
            long cachedCount = cached is not null ? ToLong(cached.GetValue(u))
                : details?.GetValue(u) is { } d && detailsCached is not null ? ToLong(detailsCached.GetValue(d))
                : 0;
            long inputCount = ToLong(input.GetValue(u));
            // Anthropic counts prompt-cache reads apart from its input tokens; OpenAI counts them within.
            if (cached?.Name == "CacheReadInputTokens")
            {
                inputCount += cachedCount;
            }
            return new TokenUsage(model?.GetValue(value)?.ToString(), inputCount, cachedCount, ToLong(output.GetValue(u)));
        };
    });

    private static PropertyInfo? Count(Type type, params string[] names)
    {
        foreach (string name in names)
        {
            if (type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { } property
                && (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) is var t
                && (t == typeof(int) || t == typeof(long)))
            {
                return property;
            }
        }
        return null;
    }

    private static long ToLong(object? value) => value switch
    {
        int i => i,
        long l => l,
        _ => 0,
    };
}
