using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LlmCache.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LlmCache.Generators;

/// <summary>
/// Writes, for every [LlmCached] method, a key builder for its parameter types and an interceptor for
/// each of its call sites in the project. This file is the pipeline only: see <see cref="Parser"/>,
/// <see cref="CallSiteParser"/> and <see cref="Emitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LlmCachedGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        /// <summary>Parsed [LlmCached] methods (models and diagnostics).</summary>
        public const string Methods = nameof(Methods);

        /// <summary>Models of methods that can be cached.</summary>
        public const string MethodModels = nameof(MethodModels);

        /// <summary>Models of the methods of other assemblies that [assembly: LlmCacheCalls] names.</summary>
        public const string CalledMethods = nameof(CalledMethods);

        /// <summary>Names of cached methods, the call-site filter.</summary>
        public const string MethodNames = nameof(MethodNames);

        /// <summary>Invocations whose name matches a cached method, before binding.</summary>
        public const string CandidateCalls = nameof(CandidateCalls);

        /// <summary>Bound, interceptable call sites.</summary>
        public const string CallSites = nameof(CallSites);

        /// <summary>Public cached methods of referenced assemblies, called through their exports.</summary>
        public const string Imports = nameof(Imports);

        /// <summary>Everything one emission needs.</summary>
        public const string Emission = nameof(Emission);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<MethodResult> methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "LlmCache.LlmCachedAttribute",
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Methods);

        IncrementalValuesProvider<MethodModel> declared = methods
            .Where(static m => m.Model is not null)
            .Select(static (m, _) => m.Model!)
            .WithTrackingName(TrackingNames.MethodModels);

        // Methods of other assemblies named by [assembly: LlmCacheCalls(typeof(T), "Method")].
        IncrementalValuesProvider<MethodModel> called = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                CallsTargets.AttributeName,
                static (node, _) => node is CompilationUnitSyntax,
                static (ctx, ct) => CallsTargets.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.CalledMethods)
            .SelectMany(static (models, _) => models);

        IncrementalValueProvider<ImmutableArray<MethodModel>> models = declared.Collect()
            .Combine(called.Collect())
            .Select(static (pair, _) => pair.Right.IsEmpty ? pair.Left : pair.Left.AddRange(pair.Right));

        // Public [LlmCached] methods of referenced assemblies built with LlmCache, cached through their exports.
        IncrementalValueProvider<EquatableArray<ImportModel>> imports = context.CompilationProvider
            .Select(static (c, ct) => Imports.Find(c, ct))
            .WithTrackingName(TrackingNames.Imports);

        IncrementalValueProvider<EquatableArray<string>> names = models
            .Combine(imports)
            .Select(static (pair, _) => pair.Left.Select(m => m.Name).Concat(pair.Right.Select(i => i.Name))
                .Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.MethodNames);

        IncrementalValueProvider<string?> assemblyName = context.CompilationProvider.Select(static (c, _) => c.AssemblyName);

        // Call sites: a syntax-only filter by name, so only invocations of a cached method's name are bound.
        IncrementalValuesProvider<InvocationExpressionSyntax> candidates = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => CallSiteParser.IsCandidate(node), static (ctx, _) => (InvocationExpressionSyntax)ctx.Node)
            .Combine(names)
            .Where(static pair => Contains(pair.Right, CallSiteParser.CalledName(pair.Left)!))
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(TrackingNames.CandidateCalls);

        // Bound together, one semantic model per file: binding reuses what the model learned about each method body.
        IncrementalValueProvider<EquatableArray<CallSiteModel>> callSites = candidates
            .Collect()
            .Combine(context.CompilationProvider)
            .Select(static (pair, ct) => CallSiteParser.BindAll(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.CallSites);

        IncrementalValueProvider<((ImmutableArray<MethodModel> Methods, EquatableArray<CallSiteModel> Sites) Local, (EquatableArray<ImportModel> Imports, string? Assembly) Other)> emission = models
            .Combine(callSites)
            .Combine(imports.Combine(assemblyName))
            .WithTrackingName(TrackingNames.Emission);

        context.RegisterSourceOutput(emission, static (spc, all) =>
        {
            var input = all.Local;
            var sitesByMethod = new Dictionary<string, List<CallSiteModel>>(System.StringComparer.Ordinal);
            foreach (CallSiteModel site in input.Sites)
            {
                if (!sitesByMethod.TryGetValue(site.TargetDocId, out List<CallSiteModel>? list))
                {
                    sitesByMethod[site.TargetDocId] = list = new List<CallSiteModel>();
                }
                list.Add(site);
            }
            var keyApis = new HashSet<string>(System.StringComparer.Ordinal);
            var methods = new List<(MethodModel, IReadOnlyList<CallSiteModel>, string)>();
            foreach (MethodModel method in input.Methods.OrderBy(m => m.Id, System.StringComparer.Ordinal))
            {
                sitesByMethod.TryGetValue(method.DocId, out List<CallSiteModel>? sites);
                // Overloads whose keyed parameters coincide get a typed key class of their own.
                string suffix = keyApis.Add(Emitter.KeyApiSignature(method)) ? "" : "_" + method.Id.Substring(method.Id.LastIndexOf('.') + 1);
                methods.Add((method, (IReadOnlyList<CallSiteModel>?)sites ?? new List<CallSiteModel>(), suffix));
            }
            var imported = new List<(ImportModel, IReadOnlyList<CallSiteModel>)>();
            foreach (ImportModel import in all.Other.Imports)
            {
                if (sitesByMethod.TryGetValue(import.DocId, out List<CallSiteModel>? sites))
                {
                    imported.Add((import, sites));
                }
            }
            if (methods.Count > 0 || imported.Count > 0)
            {
                spc.AddSource("LlmCache.Interceptors.g.cs", Emitter.EmitAll(methods, all.Other.Assembly, imported));
            }
        });
    }

    private static bool Contains(EquatableArray<string> names, string name)
    {
        foreach (string candidate in names)
        {
            if (candidate == name)
            {
                return true;
            }
        }
        return false;
    }
}
