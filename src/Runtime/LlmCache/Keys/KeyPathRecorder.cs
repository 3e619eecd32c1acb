using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace LlmCache;

/// <summary>
/// Follows one key as it is written and notes where each named part of the arguments lies in the
/// canonical bytes: every keyed parameter and, inside the shapes the writer knows, the items of lists
/// (<c>messages[2]</c>, <c>tools[0]</c>), the fields of chat messages, contents, options and tools,
/// and the members of walked objects. From those spans come a digest per part — what a snapshot
/// stores so that a replay miss can say which part changed — and, on request, a readable rendering of
/// the arguments. Used only while a runtime records requests (it has a snapshot tier); otherwise the
/// writer's hooks cost a null check.
/// </summary>
/// <remarks>
/// The writer calls the hooks with its nesting depth. A part is named only when it is written
/// directly inside a named container: a message inside a dictionary inside a tool is part of the
/// dictionary's digest, not a part of its own.
/// </remarks>
internal sealed class KeyPathRecorder
{
    private readonly IReadOnlyList<string> _parameters;
    private readonly ArrayBufferWriter<byte> _bytes = new(1024);
    private readonly List<Part> _parts = new();
    private readonly List<Frame> _frames = new();

    public KeyPathRecorder(IReadOnlyList<string> parameters)
    {
        _parameters = parameters;
        _frames.Add(new Frame(FrameKind.Root, 0, string.Empty));
    }

    private enum FrameKind
    {
        Root,
        List,
        Object,
    }

    /// <summary>The canonical bytes written so far (the writer hands over every byte it hashes).</summary>
    public void Append(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    /// <summary>Keyed parameter <paramref name="index"/> starts at <paramref name="at"/>.</summary>
    public void Parameter(int index, long at)
    {
        Frame root = _frames[0];
        _frames.RemoveRange(1, _frames.Count - 1);
        CloseChild(root, at);
        if ((uint)index < (uint)_parameters.Count)
        {
            OpenChild(root, _parameters[index], at);
        }
    }

    /// <summary>The key is complete at <paramref name="at"/>.</summary>
    public void Finish(long at) => Parameter(-1, at);

    /// <summary>A value starts at <paramref name="at"/>: an item of the list open at <paramref name="depth"/>, if one is.</summary>
    public void Item(int depth, long at)
    {
        Frame top = _frames[^1];
        if (top.Kind != FrameKind.List || top.Depth != depth || (top.Child is not null && top.ChildStart == at))
        {
            return; // not directly in a named list, or the same value seen by a second writer method
        }
        CloseChild(top, at);
        OpenChild(top, top.Path + "[" + top.Next++.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", at);
    }

    /// <summary>Field <paramref name="name"/> of the object open at <paramref name="depth"/> starts at <paramref name="at"/>.</summary>
    public void Field(string name, int depth, long at)
    {
        Frame top = _frames[^1];
        if (top.Kind == FrameKind.Object && top.Depth == depth)
        {
            CloseChild(top, at);
            OpenChild(top, top.Path + "." + name, at);
        }
    }

    /// <summary>The current field of the object open at <paramref name="depth"/> ends at <paramref name="at"/>.</summary>
    public void EndField(int depth, long at)
    {
        Frame top = _frames[^1];
        if (top.Kind == FrameKind.Object && top.Depth == depth)
        {
            CloseChild(top, at);
        }
    }

    /// <summary>A list (or an object) was entered and the writer is now at <paramref name="depth"/>: named if it is the whole value of a named part.</summary>
    public void Open(bool list, int depth)
    {
        Frame top = _frames[^1];
        if (top.Depth == depth - 1 && top.Child is { } path && !top.ChildHasFrame)
        {
            top.ChildHasFrame = true;
            _frames.Add(new Frame(list ? FrameKind.List : FrameKind.Object, depth, path));
        }
    }

    /// <summary>The list or object entered at <paramref name="depth"/> ends at <paramref name="at"/>.</summary>
    public void Close(int depth, long at)
    {
        Frame top = _frames[^1];
        if (top.Kind != FrameKind.Root && top.Depth == depth)
        {
            CloseChild(top, at);
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    /// <summary>
    /// The digest of every part (the first 64 bits of the SHA-256 of its canonical bytes, in hex),
    /// sorted by path; a part inside a parameter that is null is left out, as absent and null are the
    /// same to a reader. With <paramref name="renderArguments"/>, the arguments as readable JSON. With
    /// <paramref name="secret"/>, digests are HMAC-SHA256 keyed by it, as the key itself is
    /// (<see cref="LlmCacheOptions.KeySecretCoversArguments"/>): a guessed prompt cannot be confirmed from a snapshot either.
    /// </summary>
    public RecordedRequest Complete(bool renderArguments, byte[]? secret)
    {
        ReadOnlySpan<byte> all = _bytes.WrittenSpan;
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Span<byte> hash = stackalloc byte[32];
        foreach (Part part in _parts)
        {
            ReadOnlySpan<byte> bytes = all.Slice((int)part.Start, (int)(part.End - part.Start));
            if (!part.IsParameter && bytes.Length == 1 && bytes[0] == KeyTag.Null)
            {
                continue;
            }
            if (secret is null)
            {
                SHA256.HashData(bytes, hash);
            }
            else
            {
                HMACSHA256.HashData(secret, bytes, hash);
            }
            digests[part.Path] = Convert.ToHexString(hash[..8]).ToLowerInvariant();
        }
        return new RecordedRequest([.. digests], renderArguments ? RenderArguments(all) : null);
    }

    private JsonObject RenderArguments(ReadOnlySpan<byte> all)
    {
        var children = new Dictionary<string, List<Part>>(StringComparer.Ordinal);
        foreach (Part part in _parts)
        {
            string parent = RecordedRequest.ParentOf(part.Path) ?? string.Empty;
            if (!children.TryGetValue(parent, out List<Part>? list))
            {
                children[parent] = list = new List<Part>();
            }
            list.Add(part);
        }
        var arguments = new JsonObject();
        if (children.TryGetValue(string.Empty, out List<Part>? parameters))
        {
            parameters.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
            foreach (Part parameter in parameters)
            {
                arguments[parameter.Path] = Render(parameter, all, children);
            }
        }
        return arguments;
    }

    private static JsonNode? Render(Part part, ReadOnlySpan<byte> all, Dictionary<string, List<Part>> children)
    {
        ReadOnlySpan<byte> bytes = all.Slice((int)part.Start, (int)(part.End - part.Start));
        if (!children.TryGetValue(part.Path, out List<Part>? inner) || inner.Count == 0)
        {
            return CanonicalText.Render(bytes);
        }
        if (inner[0].Path.EndsWith(']'))
        {
            var items = new JsonArray();
            foreach (Part item in inner)
            {
                items.Add(Render(item, all, children));
            }
            return items;
        }
        var fields = new JsonObject();
        inner.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (Part field in inner)
        {
            if (Render(field, all, children) is { } value)
            {
                fields[field.Path[(field.Path.LastIndexOf('.') + 1)..]] = value;
            }
        }
        return fields;
    }

    private static void OpenChild(Frame frame, string path, long at)
    {
        frame.Child = path;
        frame.ChildStart = at;
        frame.ChildHasFrame = false;
    }

    private void CloseChild(Frame frame, long at)
    {
        if (frame.Child is { } path)
        {
            _parts.Add(new Part(path, frame.ChildStart, at, frame.Kind == FrameKind.Root));
            frame.Child = null;
        }
    }

    private readonly record struct Part(string Path, long Start, long End, bool IsParameter);

    /// <summary>A named list or object being written, and the part of it being written now.</summary>
    private sealed class Frame(FrameKind kind, int depth, string path)
    {
        public FrameKind Kind { get; } = kind;

        public int Depth { get; } = depth;

        public string Path { get; } = path;

        public int Next { get; set; }

        public string? Child { get; set; }

        public long ChildStart { get; set; }

        public bool ChildHasFrame { get; set; }
    }
}
