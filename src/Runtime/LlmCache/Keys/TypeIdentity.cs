namespace LlmCache;

/// <summary>Caches, once per type, the name a type contributes to a key.</summary>
internal static class TypeIdentity<T>
{
    public static readonly string Name = typeof(T).FullName ?? typeof(T).Name;
}
