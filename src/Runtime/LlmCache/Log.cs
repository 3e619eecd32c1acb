using Microsoft.Extensions.Logging;

namespace LlmCache;

/// <summary>The runtime's log messages. Keys and prompts are never logged raw: only method ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "LlmCache could not key a call of {MethodId}; it ran uncached")]
    public static partial void KeyFailed(ILogger logger, string methodId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "LlmCache failed for {MethodId}; the call was answered by the method")]
    public static partial void CacheFailed(ILogger logger, string methodId, Exception exception);
}
