using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LlmCache.Generators.Model;

namespace LlmCache.Generators;

/// <summary>
/// The receiver's part of a key: its [CacheKey] members (or the receiver itself, when it writes its
/// own key), written after the arguments, and the accessors that read private ones.
/// </summary>
internal static partial class Emitter
{
    /// <summary>The names key explanations show for the receiver's parts, after the parameters' (<c>this</c>, <c>this.Persona</c>).</summary>
    private static IEnumerable<string> KeyedStateNames(MethodModel method)
    {
        if (method.ReceiverKeysItself)
        {
            yield return "this";
        }
        foreach (KeyedStateModel member in method.KeyedState)
        {
            yield return "this." + member.Name;
        }
    }

    /// <summary>Writes the receiver's part of the key; <paramref name="index"/> continues the parameters' marks.</summary>
    private static void WriteKeyedState(SourceWriter w, MethodModel method, Dictionary<string, TypeShape> shapes, Func<TypeShape, string> name, int index)
    {
        if (method.ReceiverKeysItself)
        {
            w.Line("w.Mark(" + (index++).ToString(CultureInfo.InvariantCulture) + ");");
            w.Line("w.WriteCustom(s.Item1);");
        }
        foreach (KeyedStateModel member in method.KeyedState)
        {
            string value = member.Access switch
            {
                StateAccessKind.Member => "s.Item1." + Parser.EscapeIdentifier(member.Name),
                StateAccessKind.UnsafeField => StateAccessorName(member) + "(s.Item1)",
                _ => StateAccessorName(member) + "(s.Item1)",
            };
            w.Line("w.Mark(" + (index++).ToString(CultureInfo.InvariantCulture) + ");");
            w.Line(Write(shapes[member.ShapeId], value, "w", name) + ";");
        }
    }

    /// <summary>UnsafeAccessors for the private [CacheKey] members: read without reflection, as the runtime field is.</summary>
    private static void WriteStateAccessors(SourceWriter w, MethodModel method)
    {
        foreach (KeyedStateModel member in method.KeyedState.Where(m => m.Access != StateAccessKind.Member))
        {
            bool field = member.Access == StateAccessKind.UnsafeField;
            w.Line();
            w.Line("// [CacheKey] " + member.Name + ", private to " + member.DeclaringTypeText + ".");
            w.Line("[global::System.Runtime.CompilerServices.UnsafeAccessor(global::System.Runtime.CompilerServices.UnsafeAccessorKind."
                + (field ? "Field" : "Method") + ", Name = " + Literal(member.AccessorName) + ")]");
            w.Line("private static extern " + (field ? "ref " : "") + member.TypeText + " " + StateAccessorName(member) + "(" + member.DeclaringTypeText + " target);");
        }
    }

    private static string StateAccessorName(KeyedStateModel member) => "State_" + Sanitize(member.Name);

    /// <summary>A key that depends on the receiver needs it: the typed key API then takes the instance first.</summary>
    private static string ReceiverKeyParameter(MethodModel method) =>
        method.KeysReceiver ? ", " + method.ContainingTypeText + " @this" : "";
}
