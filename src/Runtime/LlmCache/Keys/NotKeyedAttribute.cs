namespace LlmCache;

/// <summary>
/// Declares instance state that does not change the answers of the <see cref="LlmCachedAttribute"/>
/// methods of its type even though they read it (a client every instance configures alike, an audit
/// sink, a rate limiter). It stays out of the key, and diagnostic LLMC014 no longer reports reads of it.
/// </summary>
/// <remarks>
/// Put it on a field, a property, or a primary-constructor parameter. It is a promise: if two instances
/// can hold values that lead to different answers, use <see cref="CacheKeyAttribute"/> instead, or they
/// will share entries.
/// </remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class NotKeyedAttribute : Attribute
{
}
