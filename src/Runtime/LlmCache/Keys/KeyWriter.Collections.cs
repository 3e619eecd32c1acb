using System.Buffers;
using System.ComponentModel;

namespace LlmCache;

/// <summary>Writes one value of type <typeparamref name="T"/> into a key (generated writers have this shape).</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="writer">The key writer.</param>
/// <param name="value">The value to write.</param>
public delegate void KeyValueWriter<in T>(KeyWriter writer, T value);

public sealed partial class KeyWriter
{
    /// <summary>
    /// Writes a dictionary independently of its insertion order: entries are sorted by key (ordinal for
    /// strings, the key type's natural order otherwise) before they are written.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void WriteMap<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>>? map,
        KeyValueWriter<TKey> writeKey, KeyValueWriter<TValue> writeValue)
    {
        if (map is null)
        {
            WriteNull();
            return;
        }
        if (map is IReadOnlyCollection<KeyValuePair<TKey, TValue>> { Count: 0 } or ICollection<KeyValuePair<TKey, TValue>> { Count: 0 })
        {
            // The common case (a tool's additional properties): no enumerator, no rented array.
            WriteTagged32(KeyTag.Map, 0);
            WriteTag(KeyTag.EndObject);
            return;
        }
        Enter();
        KeyValuePair<TKey, TValue>[] entries = Collect(map, out int n);
        try
        {
            Array.Sort(entries, 0, n, EntryOrder<TKey, TValue>.Instance);
            WriteTagged32(KeyTag.Map, unchecked((uint)n));
            for (int i = 0; i < n; i++)
            {
                writeKey(this, entries[i].Key);
                writeValue(this, entries[i].Value);
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<TKey, TValue>>.Shared.Return(entries, clearArray: true);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Writes a set independently of its enumeration order: items are sorted before they are written.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void WriteSet<T>(IEnumerable<T>? set, KeyValueWriter<T> writeItem)
    {
        if (set is null)
        {
            WriteNull();
            return;
        }
        Enter();
        T[] items = Collect(set, out int n);
        try
        {
            Array.Sort(items, 0, n, KeyOrder<T>.Instance);
            WriteTagged32(KeyTag.Set, unchecked((uint)n));
            for (int i = 0; i < n; i++)
            {
                writeItem(this, items[i]);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(items, clearArray: true);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Copies the items into a pooled array (returned by the caller), growing it if the count was unknown.</summary>
    private static T[] Collect<T>(IEnumerable<T> source, out int count)
    {
        int hint = source switch
        {
            ICollection<T> c => c.Count,
            IReadOnlyCollection<T> r => r.Count,
            _ => 8,
        };
        T[] items = ArrayPool<T>.Shared.Rent(Math.Max(hint, 1));
        int n = 0;
        foreach (T item in source)
        {
            if (n == items.Length)
            {
                T[] larger = ArrayPool<T>.Shared.Rent(n * 2);
                items.AsSpan(0, n).CopyTo(larger);
                ArrayPool<T>.Shared.Return(items, clearArray: true);
                items = larger;
            }
            items[n++] = item;
        }
        count = n;
        return items;
    }

    /// <summary>The canonical order of keys: ordinal for strings, the natural order otherwise.</summary>
    private sealed class KeyOrder<T> : IComparer<T>
    {
        public static readonly IComparer<T> Instance = typeof(T) == typeof(string)
            ? (IComparer<T>)(object)StringComparer.Ordinal
            : new KeyOrder<T>();

        public int Compare(T? x, T? y)
        {
            if (x is null)
            {
                return y is null ? 0 : -1;
            }
            if (y is null)
            {
                return 1;
            }
            return Comparer<T>.Default.Compare(x, y);
        }
    }

    private sealed class EntryOrder<TKey, TValue> : IComparer<KeyValuePair<TKey, TValue>>
    {
        public static readonly EntryOrder<TKey, TValue> Instance = new();

        public int Compare(KeyValuePair<TKey, TValue> x, KeyValuePair<TKey, TValue> y) =>
            KeyOrder<TKey>.Instance.Compare(x.Key, y.Key);
    }
}
