using System;
using System.Collections.Generic;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators;

/// <summary>
/// The diagnostic ids of <c>[Experimental]</c> APIs the generated code names. An SDK gates parts of its
/// surface (OpenAI's <c>ChatClient.Model</c> and <c>Endpoint</c>, OPENAI001), and the compiler refuses such a
/// use unless it is suppressed: the generated file suppresses them, as it does obsolete members, since the
/// application chose the method and the generator chose to key the client's model and endpoint.
/// </summary>
internal sealed class ExperimentalIds
{
    private const string AttributeName = "System.Diagnostics.CodeAnalysis.ExperimentalAttribute";

    private readonly SortedSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>Adds the ids on <paramref name="symbol"/>, the types that contain it, and its module and assembly.</summary>
    public void AddSymbol(ISymbol symbol)
    {
        for (ISymbol? level = symbol; level is not null; level = level.ContainingSymbol)
        {
            if (level is INamespaceSymbol)
            {
                continue;
            }
            foreach (AttributeData attribute in level.GetAttributes())
            {
                // A pragma takes an identifier: anything else could not have been suppressed at a call site either.
                if (attribute.AttributeClass?.ToDisplayString() == AttributeName
                    && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string id
                    && id.Length > 0 && IsIdentifier(id))
                {
                    _ids.Add(id);
                }
            }
        }
    }

    /// <summary>Adds the ids of a type the generated code names, its element type and type arguments included.</summary>
    public void AddType(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                AddType(array.ElementType);
                break;
            case INamedTypeSymbol named:
                AddSymbol(named.OriginalDefinition);
                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    AddType(argument);
                }
                break;
        }
    }

    public EquatableArray<string> ToEquatableArray() => _ids.ToEquatableArray();

    private static bool IsIdentifier(string id)
    {
        foreach (char c in id)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }
}
