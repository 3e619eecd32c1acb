using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>
/// A file's bound call sites, kept across compilations. Every edit in the IDE makes a new compilation, and
/// the CallSites step (which binds against it) would bind every call site of the project again: at 2,000
/// call sites in 40 files that was most of an edit's cost (docs/perf-plan.md). What a call binds to, and
/// where it is intercepted, depends on its own file's text and on the declarations of the compilation —
/// every file's text outside member bodies, the references and the options — never on the bodies of other
/// files' members. So a file whose syntax tree is the very object bound last time, in a compilation whose
/// declarations are unchanged, keeps its call sites; any other edit binds every file again, as before.
/// </summary>
internal static class BoundTrees
{
    /// <summary>Each tree's declarations (its tokens outside member bodies, with its path), hashed once per tree object.</summary>
    private static readonly ConditionalWeakTable<SyntaxTree, string> s_declarations = new();

    /// <summary>Each tree's call sites, with what they were bound against.</summary>
    private static readonly ConditionalWeakTable<SyntaxTree, Entry> s_sites = new();

    private sealed class Entry
    {
        public Entry(Declarations declarations, InvocationExpressionSyntax[] candidates, CallSiteModel[] sites)
        {
            Declarations = declarations;
            Candidates = candidates;
            Sites = sites;
        }

        public Declarations Declarations { get; }

        public InvocationExpressionSyntax[] Candidates { get; }

        public CallSiteModel[] Sites { get; }
    }

    /// <summary>What binding in an unchanged file depends on, outside that file. Holds no compilation.</summary>
    internal sealed class Declarations
    {
        private readonly string[] _trees;
        private readonly MetadataReference[] _references;
        private readonly CompilationOptions _options;

        private Declarations(string[] trees, MetadataReference[] references, CompilationOptions options)
        {
            _trees = trees;
            _references = references;
            _options = options;
        }

        public static Declarations Of(Compilation compilation) => new(
            compilation.SyntaxTrees.Select(static t => s_declarations.GetValue(t, static tree => Hash(tree))).ToArray(),
            compilation.References.ToArray(),
            compilation.Options);

        public bool SameAs(Declarations other) =>
            ReferenceEquals(this, other)
            || _options.Equals(other._options)
            && _references.Length == other._references.Length && _references.Zip(other._references, ReferenceEquals).All(static same => same)
            && _trees.SequenceEqual(other._trees, StringComparer.Ordinal);
    }

    /// <summary>The call sites of <paramref name="candidates"/> (all in <paramref name="tree"/>): those of last time when nothing they depend on changed, else <paramref name="bind"/>'s.</summary>
    public static IReadOnlyList<CallSiteModel> Sites(SyntaxTree tree, InvocationExpressionSyntax[] candidates, Declarations declarations,
        Func<InvocationExpressionSyntax[], CallSiteModel[]> bind)
    {
        if (s_sites.TryGetValue(tree, out Entry? entry)
            && entry.Candidates.Length == candidates.Length && entry.Candidates.Zip(candidates, ReferenceEquals).All(static same => same)
            && entry.Declarations.SameAs(declarations))
        {
            return entry.Sites;
        }
        CallSiteModel[] sites = bind(candidates);
        lock (s_sites)
        {
            s_sites.Remove(tree);
            s_sites.Add(tree, new Entry(declarations, candidates, sites));
        }
        return sites;
    }

    private static string Hash(SyntaxTree tree)
    {
        var text = new StringBuilder(tree.FilePath).Append('\n');
        foreach (SyntaxToken token in tree.GetRoot().DescendantTokens(static node => !IsBody(node)))
        {
            text.Append(token.RawKind).Append(' ').Append(token.Text).Append('\n');
        }
        using SHA256 sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A member's body: statements that declare nothing another file can see (a property's initializer and a field's are kept).</summary>
    private static bool IsBody(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax
        && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax
            or PropertyDeclarationSyntax or IndexerDeclarationSyntax;
}
