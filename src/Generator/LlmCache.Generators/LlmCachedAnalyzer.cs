using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LlmCache.Generators;

/// <summary>
/// Reports every misuse of [LlmCached] as you type: what the generator must refuse (errors), what
/// makes a cache never hit or serve wrong answers (warnings), and where calls bypass the cache. It
/// reads the generator's own description of a method — <see cref="Parser"/> for the attribute, the
/// parameter roles and the verdict, <see cref="CallSiteParser"/> for which calls are intercepted,
/// <see cref="InstanceState"/> for what of the receiver is keyed — so the IDE and the build never
/// disagree (a test holds them to it); being an analyzer, its diagnostics honour #pragma and .editorconfig.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LlmCachedAnalyzer : DiagnosticAnalyzer
{
    private static readonly HashSet<string> s_volatileNames = new(StringComparer.Ordinal)
    {
        "requestid", "traceid", "spanid", "correlationid", "userid", "sessionid", "messageid", "operationid",
        "idempotencykey", "nonce", "timestamp", "now", "requesttime", "activityid",
    };

    private static readonly HashSet<string> s_answerNames = new(StringComparer.Ordinal)
    {
        "model", "modelid", "modelname", "options", "chatoptions", "tools", "messages", "message", "prompt",
        "systemprompt", "instructions", "temperature", "question", "input", "query", "history",
    };

    private static readonly HashSet<string> s_tenantNames = new(StringComparer.Ordinal)
    {
        "tenant", "tenantid", "org", "orgid", "organization", "organizationid", "organisation", "organisationid",
        "apikey", "workspaceid", "accountid", "customerid",
    };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnknownIgnoredParameter,
        DiagnosticDescriptors.InvalidTtl,
        DiagnosticDescriptors.UncacheableReturnType,
        DiagnosticDescriptors.UnkeyableParameter,
        DiagnosticDescriptors.VolatileKeyInput,
        DiagnosticDescriptors.OutputAffectingInputIgnored,
        DiagnosticDescriptors.UnmarkedTenant,
        DiagnosticDescriptors.MethodGroupBypassesCache,
        DiagnosticDescriptors.UnreachableMethod,
        DiagnosticDescriptors.PublicCachedMethod,
        DiagnosticDescriptors.InvalidNamespace,
        DiagnosticDescriptors.InvalidTenant,
        DiagnosticDescriptors.UnkeyedInstanceState,
        DiagnosticDescriptors.HiddenState,
        DiagnosticDescriptors.InvalidCallsTarget,
        DiagnosticDescriptors.InvalidEagerRefresh,
        DiagnosticDescriptors.InvalidSemantic);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // Generated code is analyzed but never reported on. A cached method declared in generated code
        // can still be wrong because of code that is not (a keyed type's member, LLMC015): its symbol is
        // analyzed. The per-file walk below skips generated files (see there).
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? attributeType = start.Compilation.GetTypeByMetadataName("LlmCache.LlmCachedAttribute");
            if (attributeType is null)
            {
                return;
            }
            var reportedOnce = new ConcurrentDictionary<(string, Location, string), byte>();
            // Methods of other assemblies an [assembly: LlmCacheCalls] caches: a method group of one bypasses the cache too (LLMC008).
            Dictionary<IMethodSymbol, (AttributeData Attribute, Location Location)> callsTargets = CachedCallsTargets(start.Compilation, start.CancellationToken);

            AttributeData[] callsAttributes = CallsAttributes(start.Compilation);
            if (callsAttributes.Length > 0)
            {
                start.RegisterSyntaxNodeAction(nodeContext =>
                {
                    // Problems of an [assembly: LlmCacheCalls], reported on the attribute itself, and the parser's verdict on each method it owns.
                    var syntax = (AttributeSyntax)nodeContext.Node;
                    foreach (AttributeData attribute in callsAttributes)
                    {
                        if (attribute.ApplicationSyntaxReference?.SyntaxTree != syntax.SyntaxTree
                            || attribute.ApplicationSyntaxReference.Span != syntax.Span)
                        {
                            continue;
                        }
                        ImmutableArray<IMethodSymbol> methods = CallsTargets.Resolve(attribute, out string? problem);
                        // Methods an earlier attribute names are cached with that one's settings: this one's do not apply to them.
                        ImmutableArray<IMethodSymbol> owned = methods.Where(m => CallsTargets.Owns(nodeContext.Compilation, attribute, m)).ToImmutableArray();
                        if (problem is null && !methods.IsEmpty && owned.IsEmpty)
                        {
                            problem = $"'{methods[0].ContainingType.ToDisplayString()}.{methods[0].Name}' is already cached by an earlier LlmCacheCalls attribute";
                        }
                        if (problem is not null)
                        {
                            nodeContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidCallsTarget, syntax.GetLocation(), problem));
                        }
                        foreach (IMethodSymbol method in owned)
                        {
                            Parser.Analyze(method.OriginalDefinition, attribute, nodeContext.Compilation, d =>
                            {
                                if (reportedOnce.TryAdd((d.Id, d.Location, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)), 0))
                                {
                                    nodeContext.ReportDiagnostic(d);
                                }
                            }, nodeContext.CancellationToken, external: true);
                        }
                    }
                }, SyntaxKind.Attribute);
            }

            start.RegisterSymbolAction(symbolContext =>
            {
                var method = (IMethodSymbol)symbolContext.Symbol;
                AttributeData? attribute = CachedAttribute(method, attributeType);
                if (attribute is null)
                {
                    return;
                }
                Parser.Analyze(method, attribute, symbolContext.Compilation, d =>
                {
                    // A [CacheKey] member that cannot be keyed fails every cached method of its type: say so once, at the member
                    // (once per method where the message names it, as LLMC015 does).
                    if (reportedOnce.TryAdd((d.Id, d.Location, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)), 0))
                    {
                        symbolContext.ReportDiagnostic(d);
                    }
                }, symbolContext.CancellationToken);
                AnalyzeKeyChoices(symbolContext, method, attribute);
                if (Parser.IsEffectivelyPublic(method))
                {
                    symbolContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PublicCachedMethod, method.Locations.FirstOrDefault(),
                        method.ContainingType.Name + "." + method.Name));
                }
            }, SymbolKind.Method);

            // The names a call of a cached method can have: methods of this compilation spelled [LlmCached] (read from syntax,
            // CachedNames), the methods an [assembly: LlmCacheCalls] names and the public cached methods referenced assemblies
            // export. Every other invocation or name costs one set lookup: no binding and, unlike an operation action, no
            // operation tree for every body of the project.
            var cachedNames = CachedNames.Of(start.Compilation, start.CancellationToken);
            cachedNames.UnionWith(callsTargets.Keys.Select(m => m.Name));
            cachedNames.UnionWith(Imports.Find(start.Compilation, start.CancellationToken).Select(i => i.Name));

            // LLMC008 and LLMC014 in one pass per file, over its tokens: a name no cached method has costs one set lookup.
            // Per-node actions over every name and invocation of the project, and a symbol-start action per method, cost the
            // analyzer driver more than the lookups themselves (bench/GeneratorScale, the realistic project). A call is not
            // bound here: counting calls (LLMC011) is CallSiteCountAnalyzer's, which a command-line build does not run.
            start.RegisterSemanticModelAction(modelContext =>
            {
                // LLMC008 and LLMC014 report inside the file walked, and nothing in a generated file is shown:
                // walking one (the generator's own holds thousands of methods at scale) would only cost.
                if (modelContext.IsGeneratedCode)
                {
                    return;
                }
                SemanticModel model = modelContext.SemanticModel;
                CancellationToken cancellationToken = modelContext.CancellationToken;
                foreach (SyntaxToken token in model.SyntaxTree.GetRoot(cancellationToken).DescendantTokens())
                {
                    if (!token.IsKind(SyntaxKind.IdentifierToken) || !cachedNames.Contains(token.ValueText))
                    {
                        continue;
                    }
                    switch (token.Parent)
                    {
                        case SimpleNameSyntax name when name.Identifier == token:
                            AnalyzeName(name, model, modelContext.ReportDiagnostic, cancellationToken);
                            break;
                        case MethodDeclarationSyntax declaration when declaration.Identifier == token
                            && (declaration.Body is not null || declaration.ExpressionBody is not null):
                            AnalyzeInstanceState(declaration, model, modelContext.ReportDiagnostic, cancellationToken);
                            break;
                    }
                }
            });

            void AnalyzeName(SimpleNameSyntax name, SemanticModel model, Action<Diagnostic> report, CancellationToken cancellationToken)
            {
                SyntaxNode expression = ExpressionOf(name);
                if (expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression)
                {
                    return; // a call, not a method group
                }
                if (expression is MemberBindingExpressionSyntax)
                {
                    expression = name; // x?.M as a value: the name is the method group
                }
                // LLMC008: a cached method used as a method group (a delegate, a function pointer) skips the cache.
                IOperation? operation = model.GetOperation(expression, cancellationToken);
                if (operation is IDelegateCreationOperation creation)
                {
                    operation = creation.Target;
                }
                if (operation is IMethodReferenceOperation reference)
                {
                    IMethodSymbol target = (reference.Method.ReducedFrom ?? reference.Method).OriginalDefinition;
                    if (CachedAttribute(target, attributeType) is not null || callsTargets.ContainsKey(target))
                    {
                        report(Diagnostic.Create(DiagnosticDescriptors.MethodGroupBypassesCache,
                            reference.Syntax.GetLocation(), target.ContainingType.Name + "." + target.Name));
                    }
                }
            }

            void AnalyzeInstanceState(MethodDeclarationSyntax declaration, SemanticModel model, Action<Diagnostic> report, CancellationToken cancellationToken)
            {
                // LLMC014 reads the operations of cached instance methods only; the bodies of other methods get no operation tree.
                if (model.GetDeclaredSymbol(declaration, cancellationToken) is { IsStatic: false, MethodKind: MethodKind.Ordinary } method
                    && CachedAttribute(method, attributeType) is not null
                    && model.GetOperation(declaration, cancellationToken) is { } body)
                {
                    InstanceStateRule.Analyze(body, method, model.Compilation, report, cancellationToken);
                }
            }
        });
    }

    /// <summary>The warnings about what enters the key: volatile inputs, ignored answer-shaping inputs, unmarked tenants.</summary>
    private static void AnalyzeKeyChoices(SymbolAnalysisContext context, IMethodSymbol method, AttributeData attribute)
    {
        Parser.CachedArguments arguments = Parser.ReadArguments(attribute);
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            string normalized = Normalize(parameter.Name);
            ParameterRole role = Parser.RoleOf(parameter, arguments);
            if (role == ParameterRole.Ignored)
            {
                string? why = AnswerShaping(normalized, parameter.Type);
                if (why is not null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OutputAffectingInputIgnored,
                        Parser.ElementLocation(attribute, "IgnoreParams", parameter.Name, context.CancellationToken) ?? parameter.Locations.FirstOrDefault(),
                        Parser.ParameterProperty(parameter), parameter.Name, why));
                }
                continue;
            }
            if (role != ParameterRole.Keyed)
            {
                continue;
            }
            string? volatileReason = s_volatileNames.Contains(normalized)
                ? "looks like a per-request value"
                : VolatileType(parameter.Type);
            if (volatileReason is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.VolatileKeyInput, parameter.Locations.FirstOrDefault(),
                    Parser.ParameterProperty(parameter), parameter.Name, volatileReason));
            }
            else if (arguments.Tenant is null && s_tenantNames.Contains(normalized))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnmarkedTenant, parameter.Locations.FirstOrDefault(),
                    Parser.ParameterProperty(parameter), parameter.Name));
            }
        }
    }

    /// <summary>Our own interceptors call the cached methods on a miss; those calls are never intercepted.</summary>
    /// <summary>The <c>[assembly: LlmCacheCalls]</c> attributes of <paramref name="compilation"/>.</summary>
    internal static AttributeData[] CallsAttributes(Compilation compilation) => compilation.Assembly.GetAttributes()
        .Where(a => a.AttributeClass?.ToDisplayString() == CallsTargets.AttributeName).ToArray();

    /// <summary>The methods of other assemblies this compilation's <c>[assembly: LlmCacheCalls]</c> caches, each at the attribute that owns it.</summary>
    internal static Dictionary<IMethodSymbol, (AttributeData Attribute, Location Location)> CachedCallsTargets(Compilation compilation,
        CancellationToken cancellationToken)
    {
        var targets = new Dictionary<IMethodSymbol, (AttributeData, Location)>(SymbolEqualityComparer.Default);
        foreach (AttributeData attribute in CallsAttributes(compilation))
        {
            foreach (IMethodSymbol method in CallsTargets.Resolve(attribute, out _))
            {
                IMethodSymbol target = method.OriginalDefinition;
                if (CallsTargets.Owns(compilation, attribute, target) && attribute.ApplicationSyntaxReference is { } reference)
                {
                    targets[target] = (attribute, reference.GetSyntax(cancellationToken).GetLocation());
                }
            }
        }
        return targets;
    }

    /// <summary>The expression a simple name ends: <c>x.M</c>, <c>x?.M</c> (its binding) or the name itself.</summary>
    internal static SyntaxNode ExpressionOf(SimpleNameSyntax name) =>
        name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
        : name.Parent is MemberBindingExpressionSyntax binding && binding.Name == name ? binding
        : name;

    /// <summary>The invocation whose callee <paramref name="name"/> names, if it names one.</summary>
    internal static InvocationExpressionSyntax? InvocationOf(SimpleNameSyntax name) =>
        ExpressionOf(name) is var expression && expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression
            ? invocation
            : null;

    internal static bool IsInterceptorCode(ISymbol symbol) =>
        symbol.ContainingNamespace is { Name: "Generated", ContainingNamespace: { Name: "LlmCache", ContainingNamespace.IsGlobalNamespace: true } };

    private static string? VolatileType(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        return type.ToDisplayString() switch
        {
            "System.DateTime" or "System.DateTimeOffset" => "is a point in time",
            "System.Guid" => "is a GUID, usually unique per call",
            _ => null,
        };
    }

    private static string? AnswerShaping(string normalized, ITypeSymbol type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            switch (t.ToDisplayString())
            {
                case "Microsoft.Extensions.AI.ChatOptions": return "chat options choose the model, sampling and tools";
                case "Microsoft.Extensions.AI.ChatMessage": return "a message is what the model answers";
                case "Microsoft.Extensions.AI.AITool": return "tools change what the model may answer";
            }
        }
        if (type is INamedTypeSymbol named && named.AllInterfaces.Concat(new[] { named }).Any(i =>
                i.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IEnumerable<T>"
                && i.TypeArguments[0].ToDisplayString() is "Microsoft.Extensions.AI.ChatMessage" or "Microsoft.Extensions.AI.AITool"))
        {
            return "the messages or tools are what the model answers";
        }
        return s_answerNames.Contains(normalized) ? "its name says it shapes the answer" : null;
    }

    internal static AttributeData? CachedAttribute(IMethodSymbol method, INamedTypeSymbol attributeType)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                return attribute;
            }
        }
        return null;
    }

    private static string Normalize(string name) => name.Replace("_", "").ToLowerInvariant();
}
