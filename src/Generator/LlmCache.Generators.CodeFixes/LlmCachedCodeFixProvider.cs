using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace LlmCache.Generators.CodeFixes;

/// <summary>
/// Fixes for [LlmCached] diagnostics, all by editing the attribute: use the closest parameter name or
/// drop an unknown IgnoreParams entry (LLMC001), ignore a parameter that cannot or should not be
/// keyed (LLMC004, LLMC005, LLMC007), stop ignoring an answer-shaping input (LLMC006), mark a
/// parameter as the tenant (LLMC007).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LlmCachedCodeFixProvider)), Shared]
public sealed class LlmCachedCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create("LLMC001", "LLMC004", "LLMC005", "LLMC006", "LLMC007");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            MethodDeclarationSyntax? method = node.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            AttributeSyntax? attribute = method is null ? null : FindAttribute(method);
            if (attribute is null || !diagnostic.Properties.TryGetValue(DiagnosticDescriptors.PropertyValue, out string? value) || value is null)
            {
                continue;
            }
            switch (diagnostic.Id)
            {
                case "LLMC001":
                    if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.PropertyClosest, out string? closest) && closest is not null)
                    {
                        Register(context, diagnostic, root, attribute, $"Use '{closest}'", a => ReplaceIgnored(a, value, closest));
                    }
                    Register(context, diagnostic, root, attribute, $"Remove '{value}' from IgnoreParams", a => RemoveIgnored(a, value));
                    break;
                case "LLMC004":
                case "LLMC005":
                    Register(context, diagnostic, root, attribute, $"Ignore parameter '{value}'", a => AddIgnored(a, value));
                    break;
                case "LLMC006":
                    Register(context, diagnostic, root, attribute, $"Key '{value}' again (remove it from IgnoreParams)", a => RemoveIgnored(a, value));
                    break;
                case "LLMC007":
                    Register(context, diagnostic, root, attribute, $"Mark '{value}' as the tenant", a => SetNamed(a, "Tenant", Literal(value)));
                    Register(context, diagnostic, root, attribute, $"Ignore parameter '{value}'", a => AddIgnored(a, value));
                    break;
            }
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, SyntaxNode root, AttributeSyntax attribute, string title,
        System.Func<AttributeSyntax, AttributeSyntax> change)
    {
        context.RegisterCodeFix(
            CodeAction.Create(title, _ =>
            {
                AttributeSyntax changed = change(attribute).WithAdditionalAnnotations(Formatter.Annotation);
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(attribute, changed)));
            }, equivalenceKey: diagnostic.Id + ":" + title),
            diagnostic);
    }

    private static AttributeSyntax? FindAttribute(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
        {
            string name = a.Name switch
            {
                QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                AliasQualifiedNameSyntax q => q.Name.Identifier.ValueText,
                SimpleNameSyntax s => s.Identifier.ValueText,
                _ => "",
            };
            return name is "LlmCached" or "LlmCachedAttribute";
        });

    private static AttributeArgumentSyntax? Named(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    private static LiteralExpressionSyntax Literal(string value) =>
        SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value));

    private static AttributeSyntax SetNamed(AttributeSyntax attribute, string name, ExpressionSyntax value)
    {
        AttributeArgumentSyntax? existing = Named(attribute, name);
        if (existing is not null)
        {
            return attribute.ReplaceNode(existing, existing.WithExpression(value));
        }
        AttributeArgumentSyntax argument = SyntaxFactory.AttributeArgument(value)
            .WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name)));
        AttributeArgumentListSyntax list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        return attribute.WithArgumentList(list.AddArguments(argument));
    }

    private static AttributeSyntax AddIgnored(AttributeSyntax attribute, string name)
    {
        AttributeArgumentSyntax? existing = Named(attribute, "IgnoreParams");
        string[] names = existing is null ? System.Array.Empty<string>() : Entries(existing.Expression);
        return SetNamed(attribute, "IgnoreParams", Collection(names.Concat(new[] { name })));
    }

    private static AttributeSyntax RemoveIgnored(AttributeSyntax attribute, string name)
    {
        AttributeArgumentSyntax? existing = Named(attribute, "IgnoreParams");
        if (existing is null)
        {
            return attribute;
        }
        string[] remaining = Entries(existing.Expression).Where(n => n != name).ToArray();
        if (remaining.Length > 0)
        {
            return SetNamed(attribute, "IgnoreParams", Collection(remaining));
        }
        AttributeArgumentListSyntax list = attribute.ArgumentList!.WithArguments(attribute.ArgumentList.Arguments.Remove(existing));
        return list.Arguments.Count == 0 ? attribute.WithArgumentList(null) : attribute.WithArgumentList(list);
    }

    private static AttributeSyntax ReplaceIgnored(AttributeSyntax attribute, string from, string to)
    {
        AttributeArgumentSyntax? existing = Named(attribute, "IgnoreParams");
        return existing is null
            ? attribute
            : SetNamed(attribute, "IgnoreParams", Collection(Entries(existing.Expression).Select(n => n == from ? to : n)));
    }

    private static string[] Entries(ExpressionSyntax expression) =>
        expression.DescendantNodesAndSelf().OfType<LiteralExpressionSyntax>()
            .Where(l => l.IsKind(SyntaxKind.StringLiteralExpression))
            .Select(l => l.Token.ValueText)
            .ToArray();

    private static CollectionExpressionSyntax Collection(System.Collections.Generic.IEnumerable<string> names) =>
        SyntaxFactory.CollectionExpression(SyntaxFactory.SeparatedList<CollectionElementSyntax>(
            names.Select(n => SyntaxFactory.ExpressionElement(Literal(n)))));
}
