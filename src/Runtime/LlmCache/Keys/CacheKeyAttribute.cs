namespace LlmCache;

/// <summary>
/// Marks instance state that changes the answers of the <see cref="LlmCachedAttribute"/> methods of
/// its type (a persona, a default model, a system prompt held by the instance). Its value enters the
/// key of every cached instance method of the type, after the arguments, so two instances that differ
/// in it never share an entry.
/// </summary>
/// <remarks>
/// Put it on a field, a property, or a primary-constructor parameter the methods read. Its type must
/// be keyable like a parameter's (or implement <see cref="ICacheKeyWritable"/>); otherwise the build
/// reports LLMC004. A type that implements <see cref="ICacheKeyWritable"/> itself is keyed whole and
/// needs no marks. See diagnostic LLMC014.
/// </remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class CacheKeyAttribute : Attribute
{
}
