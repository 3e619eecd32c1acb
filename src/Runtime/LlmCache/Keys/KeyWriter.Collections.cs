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
    public void WriteMap<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>>? map, int count,
        KeyValueWriter<TKey> writeKey, KeyValueWriter<TValue> writeValue)
    {
        if (map is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTagged32(KeyTag.Map, unchecked((uint)count));
        KeyValuePair<TKey, TValue>[] entries = ArrayPool<KeyValuePair<TKey, TValue>>.Shared.Rent(Math.Max(count, 1));
        try
        {
            int n = 0;
            foreach (KeyValuePair<TKey, TValue> entry in map)
            {
                if (n == entries.Length)
                {
                    throw new CacheKeyException("A dictionary changed while its key was being written.");
                }
                entries[n++] = entry;
            }
            Array.Sort(entries, 0, n, EntryOrder<TKey, TValue>.Instance);
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
    public void WriteSet<T>(IEnumerable<T>? set, int count, KeyValueWriter<T> writeItem)
    {
        if (set is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTagged32(KeyTag.Set, unchecked((uint)count));
        T[] items = ArrayPool<T>.Shared.Rent(Math.Max(count, 1));
        try
        {
            int n = 0;
            foreach (T item in set)
            {
                if (n == items.Length)
                {
                    throw new CacheKeyException("A set changed while its key was being written.");
                }
                items[n++] = item;
            }
            Array.Sort(items, 0, n, KeyOrder<T>.Instance);
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
