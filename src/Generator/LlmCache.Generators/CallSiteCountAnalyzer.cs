using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LlmCache.Generators;

/// <summary>
/// LLMC011: how many call sites of each cached method the generator intercepts. Counting binds every
/// call of a cached method's name in the project, so it lives in an analyzer of its own whose one
/// diagnostic is Hidden: the command-line compiler does not run an analyzer whose diagnostics are all
/// filtered from the build's output (Hidden always, Info without an error log), so a build skips it,
/// while the IDE, a test or a project that raises LLMC011's severity in .editorconfig runs it. The
/// count is the generator's own rule (<see cref="CallSiteParser.InterceptedTarget"/>) applied to each call.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CallSiteCountAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InterceptedCallSites);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // Calls made from generated files are intercepted too, so they are counted too.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? attributeType = start.Compilation.GetTypeByMetadataName("LlmCache.LlmCachedAttribute");
            if (attributeType is null)
            {
                return;
            }
            var callSites = new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);
            // Each cached method and whether the generator makes a model of it (a refused method has no interceptor).
            var cachedMethods = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
            // Methods of other assemblies an [assembly: LlmCacheCalls] of this one caches, and where it names them.
            Dictionary<IMethodSymbol, (AttributeData Attribute, Location Location)> callsTargets =
                LlmCachedAnalyzer.CachedCallsTargets(start.Compilation, start.CancellationToken);
            foreach (KeyValuePair<IMethodSymbol, (AttributeData Attribute, Location Location)> target in callsTargets)
            {
                cachedMethods[target.Key] = Parser.Analyze(target.Key, target.Value.Attribute, start.Compilation, null, start.CancellationToken,
                    external: true) is not null;
            }

            start.RegisterSymbolAction(symbolContext =>
            {
                var method = (IMethodSymbol)symbolContext.Symbol;
                if (LlmCachedAnalyzer.CachedAttribute(method, attributeType) is { } attribute)
                {
                    cachedMethods[method] = Parser.Analyze(method, attribute, symbolContext.Compilation, null, symbolContext.CancellationToken) is not null;
                }
            }, SymbolKind.Method);

            // Only a call whose name a cached method has is bound; every other name costs one set lookup.
            HashSet<string> cachedNames = CachedNames.Of(start.Compilation, start.CancellationToken);
            cachedNames.UnionWith(callsTargets.Keys.Select(m => m.Name));
            start.RegisterSemanticModelAction(modelContext =>
            {
                SemanticModel model = modelContext.SemanticModel;
                CancellationToken cancellationToken = modelContext.CancellationToken;
                foreach (SyntaxToken token in model.SyntaxTree.GetRoot(cancellationToken).DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && cachedNames.Contains(token.ValueText)
                        && token.Parent is SimpleNameSyntax name && name.Identifier == token
                        && LlmCachedAnalyzer.InvocationOf(name) is { } invocation
                        && !(model.GetEnclosingSymbol(invocation.SpanStart, cancellationToken) is { } containing && LlmCachedAnalyzer.IsInterceptorCode(containing))
                        && CallSiteParser.InterceptedTarget(invocation, model, cancellationToken, out _) is { } intercepted)
                    {
                        callSites.AddOrUpdate(intercepted, 1, static (_, n) => n + 1);
                    }
                }
            });

            start.RegisterCompilationEndAction(end =>
            {
                foreach (KeyValuePair<IMethodSymbol, bool> entry in cachedMethods)
                {
                    int count = 0;
                    if (entry.Value)
                    {
                        callSites.TryGetValue(entry.Key, out count);
                    }
                    string text = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                        .Add(DiagnosticDescriptors.PropertyDocId, entry.Key.GetDocumentationCommentId())
                        .Add(DiagnosticDescriptors.PropertyCached, entry.Value ? "true" : "false")
                        .Add(DiagnosticDescriptors.PropertyCallSites, text);
                    Location? at = callsTargets.TryGetValue(entry.Key, out (AttributeData, Location Location) named) ? named.Location : entry.Key.Locations.FirstOrDefault();
                    end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InterceptedCallSites, at, properties,
                        entry.Key.ContainingType.Name + "." + entry.Key.Name, text));
                }
            });
        });
    }
}
