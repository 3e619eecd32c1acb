using System.ClientModel;
using System.Net;
using System.Reflection;

namespace LlmCache;

/// <summary>
/// Which failures of a cached method are answered from an expired entry when the method has a
/// fail-safe window (<see cref="LlmCachedAttribute.FailSafe"/>): the failures that say the provider is
/// down or overloaded now, not that the request is wrong.
/// </summary>
public static class FailSafe
{
    /// <summary>
    /// True for a transient failure: a network failure (<see cref="HttpRequestException"/> without a
    /// status), HTTP 429 or any 5xx (<see cref="HttpRequestException"/>, System.ClientModel's
    /// <see cref="ClientResultException"/>, or any SDK exception with an HTTP status in a public
    /// <c>StatusCode</c> or <c>Status</c> property), a <see cref="TimeoutException"/>, and a cancellation
    /// (an HTTP client's timeout). Wrapped failures count by what they wrap (an SDK's retries end in an
    /// <see cref="AggregateException"/>). A 4xx other than 429 is the request's fault: never answered.
    /// The caller's own cancellation is never answered either, whatever this says: the runtime checks it first.
    /// </summary>
    /// <param name="exception">What the method threw.</param>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is AggregateException aggregate)
        {
            var inner = aggregate.Flatten().InnerExceptions;
            return inner.Count > 0 && inner.All(IsTransient);
        }
        switch (exception)
        {
            case TimeoutException or OperationCanceledException:
                return true;
            case HttpRequestException http:
                return http.StatusCode is null ? true : IsTransientStatus((int)http.StatusCode.Value);
            case ClientResultException client:
                // Status 0: no response at all (the connection failed).
                return client.Status == 0 || IsTransientStatus(client.Status);
        }
        if (StatusOf(exception) is { } status)
        {
            return IsTransientStatus(status);
        }
        return exception.InnerException is { } cause && IsTransient(cause);
    }

    private static bool IsTransientStatus(int status) => status == 429 || status is >= 500 and <= 599;

    /// <summary>The HTTP status an SDK's own exception type carries, if it has one.</summary>
    private static int? StatusOf(Exception exception)
    {
        foreach (string name in (ReadOnlySpan<string>)["StatusCode", "Status"])
        {
            PropertyInfo? property = exception.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            object? value = property?.GetIndexParameters().Length == 0 ? property.GetValue(exception) : null;
            switch (value)
            {
                case HttpStatusCode code:
                    return (int)code;
                case int number when number is >= 100 and <= 599:
                    return number;
            }
        }
        return null;
    }
}
