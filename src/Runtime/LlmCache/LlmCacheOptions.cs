using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>Options of an <see cref="LlmCacheRuntime"/>; bound from the configuration section <c>LlmCache</c> when registered through DI.</summary>
public sealed class LlmCacheOptions
{
    /// <summary>The environment variable that sets the default <see cref="Mode"/>: <c>readwrite</c>, <c>replay</c> or <c>record</c>.</summary>
    public const string ModeVariable = "LLMCACHE_MODE";

    private LlmCacheMode _mode;

    // An invalid LLMCACHE_MODE is kept until Validate so that the runtime refuses to start with it
    // (a test run that silently fell back to ReadWrite would call the model).
    private string? _modeError;

    /// <summary>Creates options with their defaults; <see cref="Mode"/> comes from <see cref="ModeVariable"/> when it is set.</summary>
    public LlmCacheOptions()
    {
        try
        {
            _mode = ModeFromEnvironment() ?? LlmCacheMode.ReadWrite;
        }
        catch (ArgumentException ex)
        {
            _modeError = ex.Message;
        }
    }

    /// <summary>
    /// How the runtime uses its entries (see <see cref="LlmCacheMode"/>): <see cref="LlmCacheMode.ReadWrite"/>
    /// unless the environment variable <c>LLMCACHE_MODE</c> says <c>replay</c> or <c>record</c>. A value
    /// set here wins over the variable. Can be changed at run time (<see cref="LlmCacheRuntime.Reconfigure"/>).
    /// </summary>
    public LlmCacheMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            _modeError = null;
        }
    }

    /// <summary>
    /// The mode the environment variable <c>LLMCACHE_MODE</c> asks for (<c>readwrite</c>, <c>replay</c> or
    /// <c>record</c>, any case, surrounding blanks ignored), or null when it is unset or empty.
    /// </summary>
    /// <exception cref="ArgumentException">The variable holds anything else.</exception>
    public static LlmCacheMode? ModeFromEnvironment() => ParseMode(Environment.GetEnvironmentVariable(ModeVariable));

    /// <summary>Reads a mode as <c>LLMCACHE_MODE</c> writes it; null for null or blank.</summary>
    internal static LlmCacheMode? ParseMode(string? value)
    {
        string text = value?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            return null;
        }
        if (text.Equals("readwrite", StringComparison.OrdinalIgnoreCase))
        {
            return LlmCacheMode.ReadWrite;
        }
        if (text.Equals("replay", StringComparison.OrdinalIgnoreCase))
        {
            return LlmCacheMode.Replay;
        }
        if (text.Equals("record", StringComparison.OrdinalIgnoreCase))
        {
            return LlmCacheMode.Record;
        }
        throw new ArgumentException(
            $"{ModeVariable}='{value}' is not a mode of LlmCache: use readwrite, replay or record (any case), or leave it unset.", nameof(value));
    }

    /// <summary>
    /// The global namespace (generation) of every key, e.g. <c>v1</c>. Changing it orphans every
    /// entry written before, across all methods. Letters, digits, <c>.</c>, <c>_</c> and <c>-</c> only.
    /// </summary>
    public string Namespace { get; set; } = "v1";

    /// <summary>Lifetime of an entry whose method sets no <see cref="LlmCachedAttribute.Ttl"/>. Default: one hour.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest serialized entry that is stored; larger results are returned but not cached. Default: 4 MiB.</summary>
    public int MaximumEntryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Serializer options for cached values. Defaults to Microsoft.Extensions.AI's options, which
    /// round-trip chat responses and their content kinds; supply a source-generated context for AOT.
    /// Provider SDK models built on System.ClientModel (a type that is its own <c>IJsonModel&lt;T&gt;</c>,
    /// such as OpenAI's <c>ChatCompletion</c>, and <c>ClientResult&lt;T&gt;</c>) need nothing here: the
    /// runtime stores them with <c>ModelReaderWriter</c>, unless these options carry a converter of their own for the type.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; set; } = AIJsonUtilities.DefaultOptions;

    /// <summary>Most entries the in-process level keeps; past it the least recently used tenth is dropped. Default: 10,000.</summary>
    public int MemoryMaxEntries { get; set; } = 10_000;

    /// <summary>Most serialized bytes the in-process level keeps. Default: 256 MiB.</summary>
    public long MemoryMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The second-level tiers, fastest first (disk, Redis, S3 …): a read walks down them and promotes a
    /// hit upwards; a write goes to all. Empty (the default): memory only. Added by the tier packages'
    /// builder extensions, e.g. <c>AddDiskTier</c>.
    /// </summary>
    public IList<Microsoft.Extensions.Caching.Distributed.IDistributedCache> Tiers { get; set; } =
        new List<Microsoft.Extensions.Caching.Distributed.IDistributedCache>();

    /// <summary>The timeout and circuit breaker around every tier call.</summary>
    public TierResilienceOptions TierResilience { get; set; } = new();

    /// <summary>The semantic cache of <see cref="LlmCachedAttribute.Semantic"/> methods: mode, embedding generator, threshold, guards, index.</summary>
    public SemanticCacheOptions Semantic { get; set; } = new();

    /// <summary>When false, every call goes straight to the method. Can be changed at run time on the runtime itself.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// LiteLLM's <c>mode: default_off</c>: when true, every cached call goes straight to its method (no
    /// read, no write) unless the call opts in with <see cref="CacheControl.Use"/> = true, through its
    /// <see cref="CacheControl"/> parameter or an ambient <see cref="LlmCacheScope.With(CacheControl)"/>
    /// scope (<see cref="CacheControl.OptIn"/>). Bound from <c>LlmCache:DefaultOff</c> and reloadable.
    /// In <see cref="LlmCacheMode.Replay"/> it does not apply (a replayed call never reaches its method).
    /// Default: false.
    /// </summary>
    public bool DefaultOff { get; set; }

    /// <summary>
    /// How long an entry stays in the in-process level before it is read again from the tiers
    /// (LiteLLM's <c>default_in_memory_ttl</c>): a copy kept in memory longer than this is not served from
    /// memory, so a fleet sees another process's refresh or removal sooner. It only ever shortens an
    /// entry's life in memory: the entry's own TTL and a call's <see cref="CacheControl.MaxAge"/> still
    /// apply, and the copy still answers a failing method within its fail-safe window. With no tiers,
    /// the entry is computed again. Null (the default): the entry's TTL. Reloadable.
    /// </summary>
    public TimeSpan? MemoryTtl { get; set; }

    /// <summary>
    /// When true (the default), a runtime created through dependency injection also becomes
    /// <see cref="LlmCacheRuntime.Default"/>, which serves static cached methods and types that hold no runtime of their own.
    /// </summary>
    public bool UseAsDefault { get; set; } = true;

    /// <summary>
    /// Methods that are not cached, by name (<c>Namespace.Type.Method</c>) or by the type alone
    /// (<c>Namespace.Type</c>): LiteLLM's <c>supported_call_types</c>, inverted. Applies at run time.
    /// </summary>
    public IList<string> DisabledMethods { get; set; } = new List<string>();

    /// <summary>Tags whose methods are not cached (see <see cref="LlmCachedAttribute.Tags"/>).</summary>
    public IList<string> DisabledTags { get; set; } = new List<string>();

    /// <summary>
    /// Chooses an entry's lifetime from the result the method returned: a shorter TTL for refusals or
    /// errors returned as text, <see cref="TimeSpan.Zero"/> not to store it at all, null for the usual TTL.
    /// </summary>
    public Func<ResultTtlContext, TimeSpan?>? ResultTtl { get; set; }

    /// <summary>
    /// What each model charges, by model id or id prefix (matched case-insensitively, longest first):
    /// the runtime reads the usage a cached answer reports and counts what each hit saved, in tokens
    /// (<c>llmcache.tokens.saved</c>) and in <see cref="PriceCurrency"/> (<c>llmcache.cost.saved</c>, and
    /// <see cref="CacheOutcome.CostSaved"/>). Defaults to <see cref="ModelPrices.Defaults"/>; bind it from
    /// configuration (<c>"Prices": { "my-model": { "InputPerMillion": 1.0, "OutputPerMillion": 4.0 } }</c>)
    /// or change it in code. A model with no price still counts its tokens.
    /// </summary>
    public IDictionary<string, ModelPrice> Prices { get; set; } = ModelPrices.Defaults();

    /// <summary>The currency of <see cref="Prices"/>, named on the cost metric. Default: <c>USD</c>.</summary>
    public string PriceCurrency { get; set; } = "USD";

    /// <summary>
    /// The fail-safe window of methods whose attribute sets none (see <see cref="LlmCachedAttribute.FailSafe"/>):
    /// how long past its expiry an entry is kept, in every level, to answer a call whose method fails
    /// transiently. Null or zero (the default): off.
    /// </summary>
    public TimeSpan? FailSafe { get; set; }

    /// <summary>
    /// After a stale answer was served, how long it keeps answering in this process without calling
    /// the failing method again, so a provider that is down is not hammered. Default: 30 seconds.
    /// </summary>
    public TimeSpan FailSafeThrottle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Which failures of a method are answered from an expired entry (within the fail-safe window).
    /// Null (the default): <see cref="LlmCache.FailSafe.IsTransient"/> — a network failure, a timeout, HTTP
    /// 429 or 5xx, a cancellation that is not the caller's. The caller's own cancellation is never answered.
    /// </summary>
    public Func<Exception, bool>? FailSafeWhen { get; set; }

    /// <summary>
    /// The soft timeout of methods whose attribute sets none (see <see cref="LlmCachedAttribute.SoftTimeout"/>):
    /// with an expired entry at hand (a <see cref="FailSafe"/> window keeps it), a slower call is answered
    /// by that entry while the method finishes in the background. Null (the default): off.
    /// </summary>
    public TimeSpan? SoftTimeout { get; set; }

    /// <summary>How long a method finishing in the background may run before it is cancelled. Default: 2 minutes.</summary>
    public TimeSpan HardTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The eager refresh point of methods whose attribute sets none (see <see cref="LlmCachedAttribute.EagerRefresh"/>):
    /// a fraction of an entry's life above 0 and below 1. Null (the default): off.
    /// </summary>
    public double? EagerRefresh { get; set; }

    /// <summary>How many background calls (soft timeouts finishing, eager refreshes) may run at once; an eager refresh beyond it is skipped. Default: 16.</summary>
    public int MaxBackgroundRefreshes { get; set; } = 16;

    /// <summary>
    /// A deployment secret (at least 16 characters; keep it out of source control) that keys the
    /// tenant partition with HMAC-SHA256, so listings of a shared tier (Redis keys, S3 objects) cannot
    /// be matched against guessed tenant ids, and that signs every value written to a tier (HMAC over
    /// its key and bytes), so a value forged by anyone who can write to a shared Redis or bucket but
    /// lacks the secret, or a valid value copied under another key, is a miss. Every process sharing
    /// tiers must use the same secret; changing it orphans every entry in the tiers. Null (the
    /// default): plain hashes, unsigned values, and a warning logged once per tenant-partitioned method.
    /// </summary>
    public string? KeySecret { get; set; }

    /// <summary>
    /// When true (and <see cref="KeySecret"/> is set), the whole argument digest is keyed with the
    /// secret too, so not even a guessed prompt can be confirmed from a key listing. Default: false.
    /// </summary>
    public bool KeySecretCoversArguments { get; set; }

    /// <summary>Copies the settings that may change at run time onto <paramref name="target"/> and returns it.</summary>
    internal LlmCacheOptions CopyReloadable(LlmCacheOptions target)
    {
        target.Namespace = Namespace;
        target._mode = _mode;
        target._modeError = _modeError;
        target.DefaultTtl = DefaultTtl;
        target.FailSafe = FailSafe;
        target.Prices = new Dictionary<string, ModelPrice>(Prices, StringComparer.OrdinalIgnoreCase);
        target.PriceCurrency = PriceCurrency;
        target.FailSafeThrottle = FailSafeThrottle;
        target.SoftTimeout = SoftTimeout;
        target.HardTimeout = HardTimeout;
        target.EagerRefresh = EagerRefresh;
        target.Enabled = Enabled;
        target.DefaultOff = DefaultOff;
        target.MemoryTtl = MemoryTtl;
        target.MaximumEntryBytes = MaximumEntryBytes;
        target.MemoryMaxEntries = MemoryMaxEntries;
        target.MemoryMaxBytes = MemoryMaxBytes;
        target.DisabledMethods = new List<string>(DisabledMethods);
        target.DisabledTags = new List<string>(DisabledTags);
        target.Semantic.Mode = Semantic.Mode;
        target.Semantic.Similarity = Semantic.Similarity;
        target.Semantic.Margin = Semantic.Margin;
        target.Semantic.Guards = Semantic.Guards;
        return target;
    }

    internal void Validate()
    {
        Semantic.Validate();
        if (_modeError is not null)
        {
            throw new ArgumentException(_modeError, nameof(Mode));
        }
        if (!Enum.IsDefined(_mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), _mode, "Unknown LlmCache mode.");
        }
        if (!LlmCacheRuntime.IsValidNamespace(Namespace))
        {
            throw new ArgumentException($"The LlmCache namespace '{Namespace}' is invalid: use 1-64 letters, digits, '.', '_' or '-'.", nameof(Namespace));
        }
        if (DefaultTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultTtl), DefaultTtl, "The default TTL must be positive.");
        }
        if (FailSafe < TimeSpan.Zero || FailSafeThrottle < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FailSafe), "The fail-safe window and its throttle cannot be negative.");
        }
        if (SoftTimeout <= TimeSpan.Zero || HardTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SoftTimeout), "The soft and hard timeouts must be positive.");
        }
        if (EagerRefresh is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EagerRefresh), EagerRefresh, "The eager refresh point is a fraction of an entry's life, above 0 and below 1.");
        }
        if (MemoryTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryTtl), MemoryTtl, "The in-process TTL must be positive (or null for the entry's TTL).");
        }
        if (MaxBackgroundRefreshes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBackgroundRefreshes), MaxBackgroundRefreshes, "At least one background refresh must be allowed.");
        }
        if (MaximumEntryBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumEntryBytes), MaximumEntryBytes, "The maximum entry size must be positive.");
        }
        ArgumentNullException.ThrowIfNull(SerializerOptions);
        if (KeySecret is { Length: < 16 })
        {
            throw new ArgumentException("The LlmCache key secret must be at least 16 characters long.", nameof(KeySecret));
        }
        if (MemoryMaxEntries <= 0 || MemoryMaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryMaxEntries), "The in-process level needs room for at least one entry.");
        }
        ArgumentNullException.ThrowIfNull(TierResilience);
        if (TierResilience.Timeout <= TimeSpan.Zero || TierResilience.BreakDuration <= TimeSpan.Zero || TierResilience.SamplingDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TierResilience), "The tier timeout, break duration and sampling duration must be positive.");
        }
        if (TierResilience.WriteRetries < 0 || TierResilience.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TierResilience), "Tier write retries and their delay cannot be negative.");
        }
        if (TierResilience.FailureRatio is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TierResilience), "The failure ratio must be above 0 and at most 1.");
        }
    }
}
