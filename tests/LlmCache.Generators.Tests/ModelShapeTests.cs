using System.Reflection;
using Microsoft.CodeAnalysis;

namespace LlmCache.Generators.Tests;

/// <summary>
/// Pipeline models must hold only plain, equatable data: a Roslyn symbol, node, location or compilation
/// inside one silently defeats caching and keeps old compilations alive.
/// </summary>
public sealed class ModelShapeTests
{
    [Fact]
    public void Models_HoldNoRoslynTypes()
    {
        Type[] models = typeof(LlmCachedGenerator).Assembly.GetTypes()
            // EquatableArray is the one sanctioned holder of an array: it compares by content.
            .Where(t => t.Namespace == "LlmCache.Generators.Model" && !t.IsEnum && t.Name != "EquatableArray`1")
            .ToArray();
        Assert.NotEmpty(models);
        var offenders = new List<string>();
        foreach (Type model in models)
        {
            foreach (FieldInfo field in model.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (IsForbidden(field.FieldType))
                {
                    offenders.Add($"{model.Name}.{field.Name}: {field.FieldType}");
                }
            }
        }
        Assert.Empty(offenders);
    }

    [Fact]
    public void ForbiddenTypeCheck_CatchesRoslynTypes()
    {
        Assert.True(IsForbidden(typeof(ISymbol)));
        Assert.True(IsForbidden(typeof(SyntaxNode)));
        Assert.True(IsForbidden(typeof(Location)));
        Assert.True(IsForbidden(typeof(System.Collections.Immutable.ImmutableArray<string>)));
        Assert.False(IsForbidden(typeof(string)));
    }

    private static bool IsForbidden(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>))
        {
            return true;
        }
        if (type.IsArray)
        {
            // Arrays compare by reference; models use EquatableArray instead.
            return true;
        }
        if (type.Assembly == typeof(ISymbol).Assembly || type.Assembly == typeof(Microsoft.CodeAnalysis.CSharp.CSharpCompilation).Assembly)
        {
            // Plain Roslyn value types that compare by value are fine (TextSpan, LinePositionSpan).
            return !(type.IsValueType && (type.Namespace == "Microsoft.CodeAnalysis.Text"));
        }
        return type.IsGenericType && type.GetGenericArguments().Any(IsForbidden);
    }
}
