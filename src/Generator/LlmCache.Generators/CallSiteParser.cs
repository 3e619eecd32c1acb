using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>Finds call sites of cached methods: a cheap name filter first, binding only for the survivors.</summary>
internal static class CallSiteParser
{
    /// <summary>Syntax-only: an invocation whose called name is a plain or generic identifier.</summary>
    public static bool IsCandidate(SyntaxNode node) => node is InvocationExpressionSyntax invocation && CalledName(invocation) is not null;

    public static string? CalledName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        MemberAccessExpressionSyntax { Name: var name } => name.Identifier.ValueText,
        MemberBindingExpressionSyntax { Name: var name } => name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>
    /// Binds every candidate, with one semantic model per syntax tree, in source order. A file bound before, in a
    /// compilation with the same declarations, keeps its call sites without binding (<see cref="BoundTrees"/>).
    /// </summary>
    public static EquatableArray<CallSiteModel> BindAll(ImmutableArray<InvocationExpressionSyntax> candidates, Compilation compilation,
        CancellationToken cancellationToken)
    {
        var sites = new List<CallSiteModel>(candidates.Length);
        BoundTrees.Declarations? declarations = null;
        int end;
        for (int start = 0; start < candidates.Length; start = end)
        {
            SyntaxTree tree = candidates[start].SyntaxTree;
            for (end = start + 1; end < candidates.Length && ReferenceEquals(candidates[end].SyntaxTree, tree); end++)
            {
            }
            var inTree = new InvocationExpressionSyntax[end - start];
            candidates.CopyTo(start, inTree, 0, inTree.Length);
            declarations ??= BoundTrees.Declarations.Of(compilation);
            sites.AddRange(BoundTrees.Sites(tree, inTree, declarations, group => BindTree(group, compilation, cancellationToken)));
        }
        return sites.ToEquatableArray();
    }

    private static CallSiteModel[] BindTree(InvocationExpressionSyntax[] candidates, Compilation compilation, CancellationToken cancellationToken)
    {
        SemanticModel model = BindingModel.For(compilation, candidates[0].SyntaxTree);
        var sites = new List<CallSiteModel>(candidates.Length);
        foreach (InvocationExpressionSyntax invocation in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Bind(invocation, model, cancellationToken) is { } site)
            {
                sites.Add(site);
            }
        }
        return sites.ToArray();
    }

    private static CallSiteModel? Bind(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
    {
        if (InterceptedTarget(invocation, model, cancellationToken, out InterceptableLocation? location) is not { } target
            || target.GetDocumentationCommentId() is not { } docId)
        {
            return null;
        }
        FileLinePositionSpan line = invocation.GetLocation().GetLineSpan();
        return new CallSiteModel(docId, location!.Version, location.Data,
            System.IO.Path.GetFileName(invocation.SyntaxTree.FilePath),
            line.StartLinePosition.Line + 1, line.StartLinePosition.Character + 1);
    }

    /// <summary>
    /// The [LlmCached] method (or a method an [assembly: LlmCacheCalls] names) an invocation is intercepted for, or null: the one rule the generator
    /// (which writes the interceptor) and the analyzer (which counts call sites, LLMC011) both apply.
    /// Whether the method itself can be cached is the parser's verdict, applied by both on top of this.
    /// </summary>
    public static IMethodSymbol? InterceptedTarget(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken,
        out InterceptableLocation? location)
    {
        location = null;
        if (CalledName(invocation) is null || invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax })
        {
            // Not a plain call, or base.M(): the interceptor would dispatch virtually back into the override.
            return null;
        }
        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }
        IMethodSymbol target = (method.ReducedFrom ?? method).OriginalDefinition;
        if (target.GetDocumentationCommentId() is not { } docId
            || !HasCachedAttribute(target) && !CallsTargets.Of(model.Compilation).ContainsKey(docId))
        {
            return null;
        }
        location = model.GetInterceptableLocation(invocation, cancellationToken);
        return location is null ? null : target;
    }

    private static bool HasCachedAttribute(IMethodSymbol method)
    {
        ImmutableArray<AttributeData> attributes = method.GetAttributes();
        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass is { Name: "LlmCachedAttribute", ContainingNamespace: { Name: "LlmCache", ContainingNamespace.IsGlobalNamespace: true } })
            {
                return true;
            }
        }
        return false;
    }
}
