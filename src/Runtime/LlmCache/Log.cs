using Microsoft.Extensions.Logging;

namespace LlmCache;

/// <summary>The runtime's log messages. Keys and prompts are never logged raw: only method ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "LlmCache could not key a call of {MethodId}; it ran uncached")]
    public static partial void KeyFailed(ILogger logger, string methodId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "LlmCache failed for {MethodId}; the call was answered by the method")]
    public static partial void CacheFailed(ILogger logger, string methodId, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "LlmCache hit for {MethodId} (key …{KeyHash})")]
    public static partial void Hit(ILogger logger, string methodId, string keyHash);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "LlmCache miss for {MethodId} (key …{KeyHash})")]
    public static partial void Miss(ILogger logger, string methodId, string keyHash);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "LlmCache did not store a result of {MethodId}: {Bytes} bytes exceed the limit of {Limit}")]
    public static partial void EntryTooLarge(ILogger logger, string methodId, long bytes, int limit);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "LlmCache ignored a configuration reload with invalid options")]
    public static partial void ReloadRejected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "LlmCache tier {Tier} failed to {Operation}; treated as a miss")]
    public static partial void TierFailed(ILogger logger, int tier, string operation, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "LlmCache tier {Tier} is failing: its circuit breaker opened for {BreakDuration}")]
    public static partial void BreakerOpened(ILogger logger, string tier, TimeSpan breakDuration);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "LlmCache tier {Tier} recovered: its circuit breaker closed")]
    public static partial void BreakerClosed(ILogger logger, string tier);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "LlmCache stopped waiting for {Count} tier writes still in flight")]
    public static partial void FlushTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "LlmCache cannot cache results of {MethodId} ({Reason}); such calls run uncached")]
    public static partial void ResultUncacheable(ILogger logger, string methodId, string reason, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "LlmCache is partitioning {MethodId} by tenant without a KeySecret: tenant partitions are plain hashes that a dictionary of tenant ids can match")]
    public static partial void TenantWithoutSecret(ILogger logger, string methodId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "LlmCache tier {Tier} holds a value whose signature does not match its key (forged, or written without the KeySecret); treated as a miss")]
    public static partial void TierValueForged(ILogger logger, int tier);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "LlmCache answered {MethodId} (key {KeyHash}) with an expired entry {Age} old because the method failed (fail-safe)")]
    public static partial void FailSafeServed(ILogger logger, string methodId, string keyHash, TimeSpan age, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "LlmCache could not refresh {MethodId} in the background; the entry stays as it was")]
    public static partial void RefreshFailed(ILogger logger, string methodId, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "LlmCache replay had no recorded answer for a call of {MethodId}; the call failed instead of reaching the method")]
    public static partial void ReplayMiss(ILogger logger, string methodId);

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "LlmCache answered {MethodId} (key {KeyHash}) with the stored call {MatchedKeyHash} at similarity {Similarity:F3} (semantic)")]
    public static partial void SemanticHit(ILogger logger, string methodId, string keyHash, string matchedKeyHash, double similarity);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "LlmCache shadow: {MethodId} (key {KeyHash}) would have been answered by {MatchedKeyHash} at similarity {Similarity:F3}; the answers agreed: {Agreed}")]
    public static partial void SemanticShadow(ILogger logger, string methodId, string keyHash, string matchedKeyHash, double similarity, bool agreed);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "LlmCache caches {MethodId} exactly: it is declared Semantic, but no IEmbeddingGenerator<string, Embedding<float>> is registered or set in LlmCacheOptions.Semantic")]
    public static partial void SemanticWithoutGenerator(ILogger logger, string methodId);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "LlmCache's semantic index log failed or timed out; searches use what this process holds")]
    public static partial void SemanticLogFailed(ILogger logger, Exception exception);
}
