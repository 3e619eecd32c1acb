namespace LlmCache;

/// <summary>
/// Caches a method you do not own (a provider SDK's, a shared library's) at every call site in this
/// project, without changing the call sites: the generator intercepts each call of
/// <see cref="MethodName"/> on <see cref="TargetType"/> as if the method were marked
/// <see cref="LlmCachedAttribute"/>.
/// </summary>
/// <example>
/// <code>
/// [assembly: LlmCacheCalls(typeof(OpenAI.Chat.ChatClient), "CompleteChatAsync", Ttl = "1h")]
/// </code>
/// </example>
/// <remarks>
/// Every overload of the method that returns <c>Task&lt;T&gt;</c>, <c>ValueTask&lt;T&gt;</c> or
/// <c>IAsyncEnumerable&lt;T&gt;</c> is cached, or only the one <see cref="ParameterTypes"/> selects.
/// Its arguments are keyed like those of an <c>[LlmCached]</c> method (SDK models through their own
/// JSON form); <c>CancellationToken</c> and <c>System.ClientModel.Primitives.RequestOptions</c> never
/// enter the key. For an instance method, the receiver's public properties of simple types (a
/// client's model and endpoint) enter the key too, so two clients of different models never share
/// an entry; where the receiver does not expose its endpoint, give each endpoint its own
/// <see cref="Namespace"/>. Calls are served by <see cref="LlmCacheRuntime.Default"/> (set by
/// <c>AddLlmCache</c>).
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class LlmCacheCallsAttribute : Attribute
{
    /// <summary>Caches every call site of <paramref name="methodName"/> on <paramref name="targetType"/> in this project.</summary>
    /// <param name="targetType">The type that declares the method (a class or an interface).</param>
    /// <param name="methodName">The method's name; use <c>nameof</c> where the type is at hand.</param>
    public LlmCacheCallsAttribute(Type targetType, string methodName)
    {
        TargetType = targetType;
        MethodName = methodName;
    }

    /// <summary>The type that declares the method.</summary>
    public Type TargetType { get; }

    /// <summary>The method's name.</summary>
    public string MethodName { get; }

    /// <summary>The parameter types of the one overload to cache; null caches every overload that can be cached.</summary>
    public Type[]? ParameterTypes { get; set; }

    /// <summary>Lifetime of an entry, as <see cref="LlmCachedAttribute.Ttl"/>.</summary>
    public string? Ttl { get; set; }

    /// <summary>Names of parameters that do not enter the key, as <see cref="LlmCachedAttribute.IgnoreParams"/>.</summary>
    public string[]? IgnoreParams { get; set; }

    /// <summary>A namespace (version) of these calls' entries, as <see cref="LlmCachedAttribute.Namespace"/>.</summary>
    public string? Namespace { get; set; }

    /// <summary>Tags attached to every entry, as <see cref="LlmCachedAttribute.Tags"/>.</summary>
    public string[]? Tags { get; set; }

    /// <summary>The fail-safe window, as <see cref="LlmCachedAttribute.FailSafe"/>.</summary>
    public string? FailSafe { get; set; }

    /// <summary>The soft timeout, as <see cref="LlmCachedAttribute.SoftTimeout"/>.</summary>
    public string? SoftTimeout { get; set; }

    /// <summary>The hard timeout of background calls, as <see cref="LlmCachedAttribute.HardTimeout"/>.</summary>
    public string? HardTimeout { get; set; }

    /// <summary>The eager refresh point, as <see cref="LlmCachedAttribute.EagerRefresh"/>.</summary>
    public double EagerRefresh { get; set; }
}
