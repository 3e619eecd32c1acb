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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace LlmCache.Generators.CodeFixes;

/// <summary>
/// Fixes for LLMC014, at the member a cached method reads (which may be in another file): key it with
/// <c>[CacheKey]</c> when its type can be keyed, or declare with <c>[NotKeyed]</c> that it cannot change
/// the answer.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InstanceStateCodeFixProvider)), Shared]
public sealed class InstanceStateCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("LLMC014");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            ISymbol? member = model.GetSymbolInfo(node, context.CancellationToken).Symbol;
            SyntaxNode? declaration = member is null ? null : Declaration(member, context.CancellationToken);
            Document? target = declaration is null ? null : context.Document.Project.Solution.GetDocument(declaration.SyntaxTree);
            if (member is null || declaration is null || target is null)
            {
                continue; // declared in metadata: nothing to edit here
            }
            if (diagnostic.Properties.TryGetValue(DiagnosticDescriptors.PropertyKeyable, out string? keyable) && keyable == "true")
            {
                Register(context, diagnostic, target, declaration, $"Key '{member.Name}' ([CacheKey])", "LlmCache.CacheKey");
            }
            Register(context, diagnostic, target, declaration, $"Declare that '{member.Name}' does not change answers ([NotKeyed])", "LlmCache.NotKeyed");
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, Document target, SyntaxNode declaration, string title, string attribute) =>
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => AddAttributeAsync(target, declaration, attribute, ct), equivalenceKey: "LLMC014:" + attribute),
            diagnostic);

    /// <summary>The node an attribute goes on: a field declaration, a property, or a primary-constructor parameter.</summary>
    private static SyntaxNode? Declaration(ISymbol member, CancellationToken cancellationToken)
    {
        SyntaxNode? node = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        return node switch
        {
            VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax field } => field,
            PropertyDeclarationSyntax or ParameterSyntax => node,
            _ => null,
        };
    }

    private static async Task<Solution> AddAttributeAsync(Document document, SyntaxNode declaration, string name, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        AttributeSyntax attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName(name).WithAdditionalAnnotations(Simplifier.Annotation));
        editor.ReplaceNode(declaration, (current, generator) =>
            generator.AddAttributes(current, attribute).WithAdditionalAnnotations(Formatter.Annotation));
        return editor.GetChangedDocument().Project.Solution;
    }
}
