using System.Globalization;

namespace LlmCache;

/// <summary>
/// Compares the digests of a request with those of a recording (see <see cref="RecordedRequest"/>):
/// which keyed parameters are equal, and, inside each one that is not, the deepest parts that differ
/// (<c>messages[2].contents[0].text differs</c>, <c>messages[3] is new</c>).
/// </summary>
internal static class RequestDiff
{
    /// <summary>How many differing parts a message lists before it summarises the rest.</summary>
    public const int MaxListed = 8;

    /// <summary>The parameters equal in both, and the parts that differ, in parameter order.</summary>
    public static (List<string> Equal, List<string> Differences) Compare(IReadOnlyList<string> parameters,
        IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> recorded)
    {
        var children = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        AddChildren(children, current.Keys);
        AddChildren(children, recorded.Keys);
        var equal = new List<string>();
        var differences = new List<string>();
        foreach (string parameter in parameters)
        {
            if (current.TryGetValue(parameter, out string? now) && recorded.TryGetValue(parameter, out string? then) && now == then)
            {
                equal.Add(parameter);
            }
            else
            {
                Walk(parameter, current, recorded, children, differences);
            }
        }
        return (equal, differences);
    }

    /// <summary>How many keyed parameters and how many parts in all are equal: the closest recording has the most of each.</summary>
    public static (int Parameters, int Parts) Likeness(IReadOnlyList<string> parameters,
        IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> recorded)
    {
        int equalParameters = 0;
        foreach (string parameter in parameters)
        {
            if (current.TryGetValue(parameter, out string? now) && recorded.TryGetValue(parameter, out string? then) && now == then)
            {
                equalParameters++;
            }
        }
        int equalParts = 0;
        foreach (KeyValuePair<string, string> part in current)
        {
            if (recorded.TryGetValue(part.Key, out string? then) && then == part.Value)
            {
                equalParts++;
            }
        }
        return (equalParameters, equalParts);
    }

    private static void Walk(string path, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> recorded,
        Dictionary<string, SortedSet<string>> children, List<string> differences)
    {
        bool inCall = current.TryGetValue(path, out string? now);
        bool inRecording = recorded.TryGetValue(path, out string? then);
        if (!inRecording)
        {
            differences.Add(path + (inCall ? " is new (the recording has none)" : " differs"));
            return;
        }
        if (!inCall)
        {
            differences.Add(path + " is gone (the recording has one)");
            return;
        }
        if (now == then)
        {
            return;
        }
        int before = differences.Count;
        if (children.TryGetValue(path, out SortedSet<string>? parts))
        {
            foreach (string part in parts)
            {
                bool same = current.TryGetValue(part, out string? a) && recorded.TryGetValue(part, out string? b) && a == b;
                if (!same)
                {
                    Walk(part, current, recorded, children, differences);
                }
            }
        }
        if (differences.Count == before)
        {
            // Every named part is equal: what differs is this part itself (a list's length, a field with no name of its own).
            differences.Add(path + " differs");
        }
    }

    private static void AddChildren(Dictionary<string, SortedSet<string>> children, IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            if (RecordedRequest.ParentOf(path) is { } parent)
            {
                if (!children.TryGetValue(parent, out SortedSet<string>? set))
                {
                    children[parent] = set = new SortedSet<string>(PartOrder.Instance);
                }
                set.Add(path);
            }
        }
    }

    /// <summary>Siblings in reading order: list items by index (<c>[2]</c> before <c>[10]</c>), fields by name.</summary>
    private sealed class PartOrder : IComparer<string>
    {
        public static readonly PartOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            int? a = IndexOf(x!);
            int? b = IndexOf(y!);
            if (a is { } i && b is { } j)
            {
                return i.CompareTo(j);
            }
            return string.CompareOrdinal(x, y);
        }

        private static int? IndexOf(string path) =>
            path.EndsWith(']') && path.LastIndexOf('[') is var open and >= 0
            && int.TryParse(path.AsSpan(open + 1, path.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                ? index
                : null;
    }
}
