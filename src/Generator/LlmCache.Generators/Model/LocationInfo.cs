using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LlmCache.Generators.Model;

/// <summary>A source location without a reference to its syntax tree, so a model that holds it stays cacheable.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>A diagnostic to report, held as plain data.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() => Diagnostic.Create(
        DiagnosticDescriptors.ById(Id),
        Location?.ToLocation(),
        System.Linq.Enumerable.ToArray<object?>(Arguments));
}
