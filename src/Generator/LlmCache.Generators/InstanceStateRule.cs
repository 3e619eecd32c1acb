using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LlmCache.Generators;

/// <summary>
/// LLMC014: a cached instance method whose body reads instance state (a field, a property, a captured
/// primary-constructor parameter) that is not in the key, so instances that differ in it share entries.
/// What is marked, and what is exempt, comes from <see cref="InstanceState"/>, the parser's own reading.
/// </summary>
internal static class InstanceStateRule
{
    /// <summary>Reports LLMC014 for each unkeyed member <paramref name="body"/> (a cached instance method's) reads.</summary>
    public static void Analyze(IOperation body, IMethodSymbol method, Compilation compilation, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        INamedTypeSymbol owner = method.ContainingType;
        KnownTypes known = KnownTypes.For(compilation);
        if (InstanceState.KeysItself(owner, known))
        {
            return; // the receiver writes its own key, all of its state included
        }
        IOperation[] operations = body.DescendantsAndSelf().ToArray();

        // A counter the method bumps counts calls; its value changes on every call, per instance or not,
        // which is what caching the method already gives up. It is bookkeeping, not configuration.
        var counters = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in operations)
        {
            IOperation? target = operation switch
            {
                IIncrementOrDecrementOperation increment => increment.Target,
                ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } compound
                    when IsNumeric(compound.Target.Type) => compound.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref, Parent: IInvocationOperation { TargetMethod.ContainingType: { } called } } argument
                    when called.ToDisplayString() == "System.Threading.Interlocked" => argument.Value,
                _ => null,
            };
            if (target is not null && StateSymbol(target, owner) is { } counter)
            {
                counters.Add(counter);
            }
        }

        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation operation in operations)
        {
            ISymbol? member = StateSymbol(operation, owner);
            if (member is null || IsWriteOnly(operation) || operation.Parent is ILockOperation || counters.Contains(member)
                || InstanceState.IsExemptType(TypeOf(member), known)
                || InstanceState.MarkOf(member, known, cancellationToken) != StateMark.None
                || !reported.Add(member))
            {
                continue;
            }
            bool keyable = new ShapeBuilder(compilation).ShapeOf(TypeOf(member), out _) is not null;
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticDescriptors.PropertyValue, member.Name)
                .Add(DiagnosticDescriptors.PropertyKeyable, keyable ? "true" : "false");
            string kind = member switch
            {
                IFieldSymbol => "field",
                IPropertySymbol => "property",
                _ => "primary-constructor parameter",
            };
            report(Diagnostic.Create(DiagnosticDescriptors.UnkeyedInstanceState, operation.Syntax.GetLocation(), properties,
                owner.Name + "." + method.Name, kind, member.Name));
        }
    }

    /// <summary>The instance member an operation reads through <c>this</c> (said or implied), or a primary-constructor parameter of the type.</summary>
    private static ISymbol? StateSymbol(IOperation operation, INamedTypeSymbol owner) => operation switch
    {
        IFieldReferenceOperation { Field: { IsStatic: false, IsConst: false } field, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } => field,
        IPropertyReferenceOperation { Property: { IsStatic: false, IsIndexer: false } property, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } => property,
        IParameterReferenceOperation { Parameter: { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } parameter }
            when SymbolEqualityComparer.Default.Equals(constructor.ContainingType, owner) => parameter,
        _ => null,
    };

    /// <summary>An assignment's target or an out argument: written, not read.</summary>
    private static bool IsWriteOnly(IOperation operation) => operation.Parent switch
    {
        ISimpleAssignmentOperation assignment => ReferenceEquals(assignment.Target, operation),
        IArgumentOperation { Parameter.RefKind: RefKind.Out } => true,
        INameOfOperation => true,
        _ => false,
    };

    private static ITypeSymbol TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => ((IParameterSymbol)member).Type,
    };

    private static bool IsNumeric(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64
        or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal;
}
