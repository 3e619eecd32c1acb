using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>What the user said about a piece of instance state.</summary>
internal enum StateMark
{
    None,
    Keyed,
    NotKeyed,
}

/// <summary>
/// The one reading of a cached method's instance state, shared by the parser (which keys the
/// [CacheKey] members) and the analyzer (which reports reads of anything else, LLMC014).
/// </summary>
internal static class InstanceState
{
    /// <summary>The mark on a field, property or primary-constructor parameter; a record's positional property carries its parameter's.</summary>
    public static StateMark MarkOf(ISymbol member, KnownTypes known, CancellationToken cancellationToken)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (known.CacheKey is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, known.CacheKey))
            {
                return StateMark.Keyed;
            }
            if (known.NotKeyed is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, known.NotKeyed))
            {
                return StateMark.NotKeyed;
            }
        }
        if (member is IPropertySymbol { ContainingType.IsRecord: true } property
            && PrimaryConstructor(property.ContainingType, cancellationToken)?.Parameters.FirstOrDefault(p => p.Name == property.Name) is { } parameter)
        {
            return MarkOf(parameter, known, cancellationToken);
        }
        return StateMark.None;
    }

    /// <summary>The constructor declared by the type's parameter list (<c>class C(int x)</c>), if any.</summary>
    public static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax)
                {
                    return constructor;
                }
            }
        }
        return null;
    }

    /// <summary>Whether the type writes its own key (implements <c>ICacheKeyWritable</c>): then it is keyed whole and needs no marks.</summary>
    public static bool KeysItself(INamedTypeSymbol type, KnownTypes known) =>
        known.KeyWritable is { } writable && type.AllInterfaces.Contains(writable, SymbolEqualityComparer.Default);

    /// <summary>
    /// The [CacheKey] state of a type in ordinal name order (so moving a declaration changes no key):
    /// instance fields and properties of the type and its bases, and its primary-constructor parameters.
    /// A member hidden by a derived one of the same name is left to that one.
    /// </summary>
    public static List<ISymbol> KeyedMembers(INamedTypeSymbol type, KnownTypes known, CancellationToken cancellationToken)
    {
        var found = new List<ISymbol>();
        if (known.CacheKey is null)
        {
            return found;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (!member.IsStatic && member is IFieldSymbol { AssociatedSymbol: null } or IPropertySymbol { IsIndexer: false }
                    && names.Add(member.Name) && MarkOf(member, known, cancellationToken) == StateMark.Keyed)
                {
                    found.Add(member);
                }
            }
        }
        if (!type.IsRecord && PrimaryConstructor(type, cancellationToken) is { } primary)
        {
            foreach (IParameterSymbol parameter in primary.Parameters)
            {
                if (names.Add(parameter.Name) && MarkOf(parameter, known, cancellationToken) == StateMark.Keyed)
                {
                    found.Add(parameter);
                }
            }
        }
        found.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return found;
    }

    /// <summary>
    /// Whether a value of this type cannot change an answer, so reading it is never reported: the
    /// runtime itself, logging, tracing and metrics, and throttling primitives.
    /// </summary>
    public static bool IsExemptType(ITypeSymbol type, KnownTypes known)
    {
        if (known.Runtime is not null && SymbolEqualityComparer.Default.Equals(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), known.Runtime))
        {
            return true;
        }
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (IsExemptName(t))
            {
                return true;
            }
        }
        return type.AllInterfaces.Any(IsExemptName);
    }

    private static bool IsExemptName(ITypeSymbol type) =>
        (type.ContainingNamespace?.ToDisplayString() + "." + type.MetadataName) switch
        {
            "Microsoft.Extensions.Logging.ILogger" or "Microsoft.Extensions.Logging.ILogger`1" or "Microsoft.Extensions.Logging.ILoggerFactory" => true,
            "System.Diagnostics.ActivitySource" or "System.Diagnostics.Metrics.Meter" or "System.Diagnostics.Metrics.Instrument" => true,
            "System.Threading.SemaphoreSlim" or "System.Threading.Lock" => true,
            _ => false,
        };

    /// <summary>Whether a primary-constructor parameter is stored by the compiler (read in a member body), found by name in the bodies of the type's members.</summary>
    public static bool IsCaptured(INamedTypeSymbol type, IParameterSymbol parameter, Compilation compilation, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference part in type.DeclaringSyntaxReferences)
        {
            if (part.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration)
            {
                continue;
            }
            SemanticModel? model = null;
            foreach (MemberDeclarationSyntax member in declaration.Members)
            {
                // An initializer copies the parameter (`Text { get; } = text`); only a use in a body keeps it alive as a field.
                if (member is FieldDeclarationSyntax)
                {
                    continue;
                }
                foreach (IdentifierNameSyntax identifier in member.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (member is PropertyDeclarationSyntax { Initializer: { } initializer } && initializer.Span.Contains(identifier.Span))
                    {
                        continue;
                    }
                    if (identifier.Identifier.ValueText != parameter.Name)
                    {
                        continue;
                    }
                    model ??= compilation.GetSemanticModel(part.SyntaxTree);
                    if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, parameter))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
