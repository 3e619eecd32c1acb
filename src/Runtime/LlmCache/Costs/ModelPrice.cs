namespace LlmCache;

/// <summary>
/// What a model charges per million tokens, in <see cref="LlmCacheOptions.PriceCurrency"/>: the price
/// table the runtime uses to say what each hit saved (<c>llmcache.cost.saved</c>).
/// </summary>
public sealed class ModelPrice
{
    private decimal _inputPerMillion;
    private decimal? _cachedInputPerMillion;
    private decimal _outputPerMillion;
    private int _version;

    /// <summary>Price of one million input (prompt) tokens.</summary>
    public decimal InputPerMillion
    {
        get => _inputPerMillion;
        set
        {
            _inputPerMillion = value;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Price of one million input tokens the provider served from its own prompt cache; null: the input price.</summary>
    public decimal? CachedInputPerMillion
    {
        get => _cachedInputPerMillion;
        set
        {
            _cachedInputPerMillion = value;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Price of one million output (completion) tokens.</summary>
    public decimal OutputPerMillion
    {
        get => _outputPerMillion;
        set
        {
            _outputPerMillion = value;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Changes with every edit of the price: what was computed at an older version is computed again.</summary>
    internal int Version => Volatile.Read(ref _version);

    /// <summary>What <paramref name="usage"/> costs at this price.</summary>
    internal decimal CostOf(in TokenUsage usage)
    {
        long cached = Math.Min(usage.CachedInput, usage.Input);
        return ((usage.Input - cached) * InputPerMillion + cached * (CachedInputPerMillion ?? InputPerMillion) + usage.Output * OutputPerMillion)
            / 1_000_000m;
    }
}

/// <summary>The default price table: list prices per million tokens in USD, as the providers published them in August 2025.</summary>
public static class ModelPrices
{
    /// <summary>When <see cref="Defaults"/> was taken from the providers' price pages; prices change, override them in <see cref="LlmCacheOptions.Prices"/>.</summary>
    public const string AsOf = "2025-08";

    /// <summary>A new copy of the default table (model id or id prefix → price), matched case-insensitively, longest prefix first.</summary>
    public static Dictionary<string, ModelPrice> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o-mini"] = Price(0.15m, 0.075m, 0.60m),
        ["gpt-4o"] = Price(2.50m, 1.25m, 10.00m),
        ["gpt-4.1-nano"] = Price(0.10m, 0.025m, 0.40m),
        ["gpt-4.1-mini"] = Price(0.40m, 0.10m, 1.60m),
        ["gpt-4.1"] = Price(2.00m, 0.50m, 8.00m),
        ["gpt-5-nano"] = Price(0.05m, 0.005m, 0.40m),
        ["gpt-5-mini"] = Price(0.25m, 0.025m, 2.00m),
        ["gpt-5"] = Price(1.25m, 0.125m, 10.00m),
        ["o4-mini"] = Price(1.10m, 0.275m, 4.40m),
        ["o3"] = Price(2.00m, 0.50m, 8.00m),
        ["claude-opus-4"] = Price(15.00m, 1.50m, 75.00m),
        ["claude-sonnet-4"] = Price(3.00m, 0.30m, 15.00m),
        ["claude-3-7-sonnet"] = Price(3.00m, 0.30m, 15.00m),
        ["claude-3-5-haiku"] = Price(0.80m, 0.08m, 4.00m),
        ["text-embedding-3-small"] = Price(0.02m, null, 0m),
        ["text-embedding-3-large"] = Price(0.13m, null, 0m),
    };

    private static ModelPrice Price(decimal input, decimal? cachedInput, decimal output) =>
        new() { InputPerMillion = input, CachedInputPerMillion = cachedInput, OutputPerMillion = output };

    /// <summary>The price of <paramref name="model"/>: an exact id, else the longest id that prefixes it (a dated snapshot such as <c>gpt-4o-2024-08-06</c>).</summary>
    internal static ModelPrice? Find(IDictionary<string, ModelPrice> prices, string? model)
    {
        if (model is null || prices.Count == 0)
        {
            return null;
        }
        if (prices.TryGetValue(model, out ModelPrice? exact))
        {
            return exact;
        }
        ModelPrice? best = null;
        int bestLength = 0;
        foreach (KeyValuePair<string, ModelPrice> entry in prices)
        {
            if (entry.Key.Length > bestLength && model.StartsWith(entry.Key, StringComparison.OrdinalIgnoreCase))
            {
                best = entry.Value;
                bestLength = entry.Key.Length;
            }
        }
        return best;
    }
}

/// <summary>
/// What hits of one stored entry save at one version of one price, computed on the entry's first hit
/// and reused by the next ones (decimal arithmetic is a large share of a warm hit of a chat response).
/// </summary>
/// <param name="Price">The price it was computed with.</param>
/// <param name="Version">The price's <see cref="ModelPrice.Version"/> read before computing.</param>
/// <param name="Cost">What one hit saves.</param>
/// <param name="Nanos">The same, in billionths of the currency (the statistics' unit).</param>
internal sealed record SavedCost(ModelPrice Price, int Version, decimal Cost, long Nanos);
