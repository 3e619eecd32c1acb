using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>
/// The names of the methods of a compilation that carry an attribute spelled like [LlmCached], read from
/// syntax alone: the analyzer's filter before it binds an invocation or a name. Looking the names up as
/// symbols instead (GetSymbolsWithName per name) cost 13 s of a 100,000-line build, where common member
/// names match thousands of methods. Each file is read once per syntax tree object (an IDE edit re-reads
/// the edited file only), skipping member bodies. An over-approximation is harmless: what passes is bound
/// and checked as before.
/// </summary>
internal static class CachedNames
{
    private static readonly ConditionalWeakTable<SyntaxTree, FileNames> s_byTree = new();

    private sealed class FileNames
    {
        public FileNames(List<(string Method, string[] Attributes)> methods, List<string> aliases)
        {
            Methods = methods;
            Aliases = aliases;
        }

        /// <summary>Methods declared with attributes, and the attributes' simple names.</summary>
        public List<(string Method, string[] Attributes)> Methods { get; }

        /// <summary>Using aliases whose target is named LlmCached or LlmCachedAttribute.</summary>
        public List<string> Aliases { get; }
    }

    /// <summary>The names of the methods of <paramref name="compilation"/> that may be [LlmCached].</summary>
    public static HashSet<string> Of(Compilation compilation, CancellationToken cancellationToken)
    {
        var files = new List<FileNames>();
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            files.Add(s_byTree.GetValue(tree, static t => Read(t)));
        }
        var attributeNames = new HashSet<string>(StringComparer.Ordinal) { "LlmCached", "LlmCachedAttribute" };
        foreach (FileNames file in files)
        {
            attributeNames.UnionWith(file.Aliases);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (FileNames file in files)
        {
            foreach ((string method, string[] attributes) in file.Methods)
            {
                if (attributes.Any(attributeNames.Contains))
                {
                    names.Add(method);
                }
            }
        }
        return names;
    }

    private static FileNames Read(SyntaxTree tree)
    {
        var methods = new List<(string, string[])>();
        var aliases = new List<string>();
        foreach (SyntaxNode node in tree.GetRoot().DescendantNodes(static n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax)))
        {
            switch (node)
            {
                case MethodDeclarationSyntax { AttributeLists.Count: > 0 } method:
                    methods.Add((method.Identifier.ValueText,
                        method.AttributeLists.SelectMany(l => l.Attributes).Select(a => SimpleName(a.Name)).ToArray()));
                    break;
                case UsingDirectiveSyntax { Alias: { } alias, Name: { } target } when SimpleName(target) is "LlmCached" or "LlmCachedAttribute":
                    aliases.Add(alias.Name.Identifier.ValueText);
                    break;
            }
        }
        return new FileNames(methods, aliases);
    }

    private static string SimpleName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => "",
    };
}
