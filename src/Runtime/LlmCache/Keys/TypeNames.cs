using System.Collections.Concurrent;
using System.Text;

namespace LlmCache;

/// <summary>
/// The name a runtime type contributes to a key: its full name, with generic arguments written by
/// the same rule instead of assembly-qualified, so a key does not change with an assembly's version.
/// </summary>
internal static class TypeNames
{
    private static readonly ConcurrentDictionary<Type, string> s_names = new();

    public static string Of(Type type) => s_names.GetOrAdd(type, static t => Build(t));

    private static string Build(Type type)
    {
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }
        if (!type.IsGenericType || type.IsGenericTypeDefinition)
        {
            return type.FullName ?? type.Name;
        }
        Type definition = type.GetGenericTypeDefinition();
        var name = new StringBuilder(definition.FullName ?? definition.Name).Append('[');
        Type[] arguments = type.GetGenericArguments();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                name.Append(',');
            }
            name.Append('[').Append(Of(arguments[i])).Append(']');
        }
        return name.Append(']').ToString();
    }
}
