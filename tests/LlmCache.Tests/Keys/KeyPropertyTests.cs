using System.Collections.ObjectModel;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Keys;

/// <summary>
/// Property-based checks over generated chat requests (messages with mixed contents, function calls
/// whose arguments mix object values, options with functions and hosted tools): (1) changing any single
/// field changes the key; (2) the same request built another way (dictionary insertion order, a list,
/// an array or a read-only collection) keeps the key.
/// </summary>
public sealed class KeyPropertyTests
{
    // ---- the model: plain descriptions, built into Microsoft.Extensions.AI objects per variant ----

    public abstract record V;
    public sealed record VInt(int X) : V;
    public sealed record VLong(long X) : V;
    public sealed record VStr(string X) : V;
    public sealed record VDouble(double X) : V;
    public sealed record VBool(bool X) : V;
    public sealed record VNull : V;
    public sealed record VList(V[] Items) : V;
    public sealed record VMap(Entry[] Entries) : V;
    public sealed record VPair(V A, V B) : V;
    public sealed record VShape(string Name, bool Derived, V Extra) : V;
    public sealed record Entry(string Key, V Value);

    public abstract record C;
    public sealed record CText(string Text) : C;
    public sealed record CData(byte[] Bytes, string MediaType) : C;
    public sealed record CUri(string Path, string MediaType) : C;
    public sealed record CCall(string CallId, string Name, Entry[] Arguments) : C;
    public sealed record CResult(string CallId, V Result) : C;

    public abstract record T;
    public sealed record TFunction(string Name, string Description, string ParameterType) : T;
    public sealed record TFileSearch(string[] VectorStores, int? Max) : T;
    public sealed record TMcp(string Server, string Address, string[] Allowed, string? Token) : T;

    public sealed record Msg(string Role, string? Author, C[] Contents, Entry[] Properties);
    public sealed record Opts(string Model, float? Temperature, T[] Tools, Entry[] Properties);
    public sealed record Req(Msg[] Messages, Opts Options);

    /// <summary>Records the walker keys: a member declared as the base holds a derived value.</summary>
    public record ShapeValue(string Name);
    public sealed record DerivedShape(string Name, object? Extra) : ShapeValue(Name);
    public sealed record ShapeHolder(ShapeValue Shape);

    private static readonly string[] s_roles = ["user", "assistant", "system", "tool"];
    private static readonly string[] s_media = ["image/png", "image/jpeg", "audio/wav"];

    private static readonly Gen<string> s_text = Gen.String[0, 6];
    private static readonly Gen<string> s_name = Gen.Char['a', 'e'].Array[1, 4].Select(c => new string(c));

    private static Gen<V> GenValue(int depth)
    {
        Gen<V> leaf = Gen.Frequency(
            (3, Gen.Int[-5, 5].Select(i => (V)new VInt(i))),
            (2, Gen.Long[-5, 5].Select(l => (V)new VLong(l))),
            (3, s_text.Select(s => (V)new VStr(s))),
            (1, Gen.Int[-8, 8].Select(i => (V)new VDouble(i / 4.0))),
            (1, Gen.Bool.Select(b => (V)new VBool(b))),
            (1, Gen.Const((V)new VNull())));
        if (depth == 0)
        {
            return leaf;
        }
        Gen<V> inner = GenValue(depth - 1);
        return Gen.Frequency(
            (6, leaf),
            (1, inner.Array[0, 3].Select(items => (V)new VList(items))),
            (1, GenEntries(inner).Select(entries => (V)new VMap(entries))),
            (1, Gen.Select(inner, inner, (a, b) => (V)new VPair(a, b))),
            (1, Gen.Select(s_name, Gen.Bool, inner, (n, d, e) => (V)new VShape(n, d, e))));
    }

    private static Gen<Entry[]> GenEntries(Gen<V> values) =>
        Gen.Select(s_name, values, (k, v) => new Entry(k, v)).Array[0, 3]
            .Select(entries => entries.DistinctBy(e => e.Key).ToArray());

    private static readonly Gen<V> s_value = GenValue(2);

    private static readonly Gen<C> s_content = Gen.Frequency(
        (3, s_text.Select(t => (C)new CText(t))),
        (1, Gen.Select(Gen.Byte.Array[0, 4], Gen.OneOf(s_media), (b, m) => (C)new CData(b, m))),
        (1, Gen.Select(s_name, Gen.OneOf(s_media), (p, m) => (C)new CUri(p, m))),
        (2, Gen.Select(s_name, s_name, GenEntries(s_value), (id, n, a) => (C)new CCall(id, n, a))),
        (2, Gen.Select(s_name, s_value, (id, r) => (C)new CResult(id, r))));

    private static readonly Gen<T> s_tool = Gen.Frequency(
        (3, Gen.Select(s_name, s_text, Gen.OneOf("string", "number"), (n, d, p) => (T)new TFunction(n, d, p))),
        (1, Gen.Select(s_name.Array[0, 2], Gen.Int[1, 5].Nullable(0.5), (s, m) => (T)new TFileSearch(s, m))),
        (1, Gen.Select(s_name, s_name, s_name.Array[0, 2], s_name.Null(0.5), (s, a, t, k) => (T)new TMcp(s, a, t, k))));

    private static readonly Gen<Msg> s_message = Gen.Select(
        Gen.OneOf(s_roles), s_name.Null(0.7), s_content.Array[0, 3], GenEntries(s_value),
        (r, a, c, p) => new Msg(r, a, c, p));

    private static readonly Gen<Opts> s_options = Gen.Select(
        s_name, Gen.Int[0, 4].Select(i => i / 4f).Nullable(0.3), s_tool.Array[0, 3], GenEntries(s_value),
        (m, t, tools, p) => new Opts(m, t, tools, p));

    private static readonly Gen<Req> s_request = Gen.Select(s_message.Array[1, 3], s_options, (m, o) => new Req(m, o));

    // ---- building: variant 0, 1 and 2 build the same request three ways ----------------------

    private static IList<TItem> Collection<TItem>(IEnumerable<TItem> items, int variant) => variant switch
    {
        0 => items.ToList(),
        1 => items.ToArray(),
        _ => new ReadOnlyCollection<TItem>(items.ToList()),
    };

    private static IEnumerable<Entry> Ordered(Entry[] entries, int variant) => variant == 1 ? entries.Reverse() : entries;

    private static object? Build(V value, int variant) => value switch
    {
        VInt i => i.X,
        VLong l => l.X,
        VStr s => s.X,
        VDouble d => d.X,
        VBool b => b.X,
        VNull => null,
        VList list => Collection(list.Items.Select(item => Build(item, variant)), variant),
        VMap map => Map(map.Entries, variant),
        VPair pair => (Build(pair.A, variant), Build(pair.B, variant)),
        VShape shape => new ShapeHolder(shape.Derived ? new DerivedShape(shape.Name, Build(shape.Extra, variant)) : new ShapeValue(shape.Name)),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    private static Dictionary<string, object?> Map(Entry[] entries, int variant)
    {
        var map = new Dictionary<string, object?>();
        foreach (Entry entry in Ordered(entries, variant))
        {
            map[entry.Key] = Build(entry.Value, variant);
        }
        return map;
    }

    private static AdditionalPropertiesDictionary? Properties(Entry[] entries, int variant) =>
        entries.Length == 0 ? null : new AdditionalPropertiesDictionary(Map(entries, variant));

    private static AIContent Build(C content, int variant) => content switch
    {
        CText text => new TextContent(text.Text),
        CData data => new DataContent(data.Bytes, data.MediaType),
        CUri uri => new UriContent(new Uri("https://a.example/" + uri.Path), uri.MediaType),
        CCall call => new FunctionCallContent(call.CallId, call.Name, Map(call.Arguments, variant)),
        CResult result => new FunctionResultContent(result.CallId, Build(result.Result, variant)),
        _ => throw new ArgumentOutOfRangeException(nameof(content)),
    };

    private static AITool Build(T tool, int variant) => tool switch
    {
        TFunction f => AIFunctionFactory.CreateDeclaration(f.Name, f.Description,
            JsonDocument.Parse("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"" + f.ParameterType + "\"}}}").RootElement),
        TFileSearch s => new HostedFileSearchTool
        {
            Inputs = Collection(s.VectorStores.Select(id => (AIContent)new HostedVectorStoreContent(id)), variant),
            MaximumResultCount = s.Max,
        },
        TMcp m => new HostedMcpServerTool(m.Server, "https://mcp.example/" + m.Address)
        {
            AllowedTools = Collection(m.Allowed, variant),
            Headers = m.Token is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + m.Token },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(tool)),
    };

    private static string Key(Req request, int variant)
    {
        IList<ChatMessage> messages = Collection(request.Messages.Select(m => new ChatMessage(new ChatRole(m.Role), Collection(m.Contents.Select(c => Build(c, variant)), variant))
        {
            AuthorName = m.Author,
            AdditionalProperties = Properties(m.Properties, variant),
        }), variant);
        var options = new ChatOptions
        {
            ModelId = request.Options.Model,
            Temperature = request.Options.Temperature,
            Tools = request.Options.Tools.Length == 0 ? null : Collection(request.Options.Tools.Select(t => Build(t, variant)), variant),
            AdditionalProperties = Properties(request.Options.Properties, variant),
        };
        return Keys.Of(w => { w.WriteChatMessages(messages); w.WriteChatOptions(options); });
    }

    // ---- single-field changes ----------------------------------------------------------------

    private static TItem[] With<TItem>(TItem[] items, int index, TItem item)
    {
        TItem[] copy = (TItem[])items.Clone();
        copy[index] = item;
        return copy;
    }

    private static IEnumerable<TItem[]> ArrayChanges<TItem>(TItem[] items, Func<TItem, IEnumerable<TItem>> change, TItem added)
    {
        for (int i = 0; i < items.Length; i++)
        {
            foreach (TItem changed in change(items[i]))
            {
                yield return With(items, i, changed);
            }
        }
        yield return [.. items, added];
        if (items.Length > 0)
        {
            yield return items[..^1];
        }
    }

    private static IEnumerable<V> Changes(V value)
    {
        switch (value)
        {
            case VInt i:
                yield return new VInt(i.X + 1);
                yield return new VLong(i.X);
                yield return new VStr(i.X.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case VLong l:
                yield return new VLong(l.X + 1);
                yield return new VInt((int)l.X);
                break;
            case VStr s:
                yield return new VStr(s.X + "x");
                yield return new VNull();
                break;
            case VDouble d:
                yield return new VDouble(d.X + 0.5);
                yield return new VDouble(-d.X == d.X ? (d.X == 0 && double.IsNegative(d.X) ? 0.0 : -0.0) : -d.X);
                break;
            case VBool b:
                yield return new VBool(!b.X);
                break;
            case VNull:
                yield return new VStr("");
                yield return new VInt(0);
                break;
            case VList list:
                foreach (V[] items in ArrayChanges(list.Items, Changes, new VNull()))
                {
                    yield return new VList(items);
                }
                break;
            case VMap map:
                foreach (Entry[] entries in EntryChanges(map.Entries))
                {
                    yield return new VMap(entries);
                }
                break;
            case VPair pair:
                foreach (V a in Changes(pair.A))
                {
                    yield return pair with { A = a };
                }
                foreach (V b in Changes(pair.B))
                {
                    yield return pair with { B = b };
                }
                break;
            case VShape shape:
                yield return shape with { Name = shape.Name + "x" };
                yield return shape with { Derived = !shape.Derived };
                if (shape.Derived)
                {
                    foreach (V extra in Changes(shape.Extra))
                    {
                        yield return shape with { Extra = extra };
                    }
                }
                break;
        }
    }

    private static IEnumerable<Entry[]> EntryChanges(Entry[] entries)
    {
        string fresh = "z" + string.Concat(entries.Select(e => e.Key));
        foreach (Entry[] changed in ArrayChanges(entries,
            e => Changes(e.Value).Select(v => e with { Value = v }).Append(e with { Key = fresh }), new Entry(fresh, new VNull())))
        {
            yield return changed;
        }
    }

    private static IEnumerable<C> Changes(C content)
    {
        switch (content)
        {
            case CText t:
                yield return new CText(t.Text + "x");
                break;
            case CData d:
                yield return d with { Bytes = [.. d.Bytes, 0] };
                yield return d with { MediaType = d.MediaType == "image/png" ? "image/jpeg" : "image/png" };
                break;
            case CUri u:
                yield return u with { Path = u.Path + "x" };
                yield return u with { MediaType = u.MediaType == "image/png" ? "image/jpeg" : "image/png" };
                break;
            case CCall c:
                yield return c with { CallId = c.CallId + "x" };
                yield return c with { Name = c.Name + "x" };
                foreach (Entry[] arguments in EntryChanges(c.Arguments))
                {
                    yield return c with { Arguments = arguments };
                }
                break;
            case CResult r:
                yield return r with { CallId = r.CallId + "x" };
                foreach (V result in Changes(r.Result))
                {
                    yield return r with { Result = result };
                }
                break;
        }
    }

    private static IEnumerable<T> Changes(T tool)
    {
        switch (tool)
        {
            case TFunction f:
                yield return f with { Name = f.Name + "x" };
                yield return f with { Description = f.Description + "x" };
                yield return f with { ParameterType = f.ParameterType == "string" ? "number" : "string" };
                break;
            case TFileSearch s:
                foreach (string[] stores in ArrayChanges(s.VectorStores, id => [id + "x"], "vs"))
                {
                    yield return s with { VectorStores = stores };
                }
                yield return s with { Max = s.Max is null ? 1 : s.Max + 1 };
                break;
            case TMcp m:
                yield return m with { Server = m.Server + "x" };
                yield return m with { Address = m.Address + "x" };
                yield return m with { Token = m.Token is null ? "t" : m.Token + "x" };
                foreach (string[] allowed in ArrayChanges(m.Allowed, a => [a + "x"], "tool"))
                {
                    yield return m with { Allowed = allowed };
                }
                break;
        }
    }

    private static IEnumerable<Req> Changes(Req request)
    {
        Msg[] messages = request.Messages;
        for (int i = 0; i < messages.Length; i++)
        {
            Msg m = messages[i];
            var changed = new List<Msg>
            {
                m with { Role = s_roles[(Array.IndexOf(s_roles, m.Role) + 1) % s_roles.Length] },
                m with { Author = m.Author is null ? "a" : m.Author + "x" },
            };
            changed.AddRange(ArrayChanges(m.Contents, Changes, new CText("")).Select(c => m with { Contents = c }));
            changed.AddRange(EntryChanges(m.Properties).Select(p => m with { Properties = p }));
            foreach (Msg message in changed)
            {
                yield return request with { Messages = With(messages, i, message) };
            }
        }
        yield return request with { Messages = [.. messages, new Msg("user", null, [], [])] };
        Opts o = request.Options;
        yield return request with { Options = o with { Model = o.Model + "x" } };
        yield return request with { Options = o with { Temperature = o.Temperature is null ? 0.5f : o.Temperature + 1 } };
        foreach (T[] tools in ArrayChanges(o.Tools, Changes, new TFileSearch([], null)))
        {
            yield return request with { Options = o with { Tools = tools } };
        }
        foreach (Entry[] properties in EntryChanges(o.Properties))
        {
            yield return request with { Options = o with { Properties = properties } };
        }
    }

    [Fact]
    public void ChangingAnySingleField_ChangesTheKey()
    {
        s_request.Sample(request =>
        {
            string key = Key(request, 0);
            foreach (Req changed in Changes(request))
            {
                if (Key(changed, 0) == key)
                {
                    throw new InvalidOperationException($"Same key after a change:\n{Describe(request)}\n->\n{Describe(changed)}");
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void TheSameRequestBuiltAnotherWay_KeepsTheKey()
    {
        s_request.Sample(request =>
        {
            string key = Key(request, 0);
            Assert.Equal(key, Key(request, 1));
            Assert.Equal(key, Key(request, 2));
        }, iter: 300);
    }

    [Fact]
    public void ObjectValues_ChangeTheKeyWithAnySingleChange()
    {
        s_value.Sample(value =>
        {
            string key = Keys.OfObject(Build(value, 0));
            Assert.Equal(key, Keys.OfObject(Build(value, 1)));
            Assert.Equal(key, Keys.OfObject(Build(value, 2)));
            foreach (V changed in Changes(value))
            {
                if (Keys.OfObject(Build(changed, 0)) == key)
                {
                    throw new InvalidOperationException($"Same key for {Describe(value)} and {Describe(changed)}");
                }
            }
        }, iter: 1000);
    }

    private static string Describe(object value) => JsonSerializer.Serialize(value, value.GetType());
}
