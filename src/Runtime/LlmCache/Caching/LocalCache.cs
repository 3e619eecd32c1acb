using System.Collections.Concurrent;

namespace LlmCache;

/// <summary>
/// The in-process level: entries as objects, keyed by <see cref="CallKey"/> (no key string on a hit),
/// returned to callers as copies so that no caller can change what another gets. Bounded by entry
/// count and by the entries' serialized size; over either bound the least recently used tenth goes.
/// </summary>
internal sealed class LocalCache
{
    private readonly ConcurrentDictionary<CallKey, Slot> _slots = new(CallKeyComparer.Instance);
    private readonly Func<int> _maxEntries;
    private readonly Func<long> _maxBytes;
    private readonly Func<TimeSpan?> _memoryTtl;
    private readonly Func<long> _now;
    private long _bytes;
    private int _trimming;

    /// <param name="maxEntries">The most entries kept.</param>
    /// <param name="maxBytes">The most serialized bytes kept.</param>
    /// <param name="memoryTtl">How long a copy is served from here after it was kept (<see cref="LlmCacheOptions.MemoryTtl"/>); null: its entry's TTL.</param>
    /// <param name="now">The runtime's clock in UTC ticks, for <paramref name="memoryTtl"/>.</param>
    public LocalCache(Func<int> maxEntries, Func<long> maxBytes, Func<TimeSpan?>? memoryTtl = null, Func<long>? now = null)
    {
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _memoryTtl = memoryTtl ?? (static () => null);
        _now = now ?? (static () => DateTime.UtcNow.Ticks);
    }

    public int Count => _slots.Count;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// The entry under <paramref name="key"/> if it has not expired and was kept here less than the
    /// in-process TTL ago (a stale answer kept for a failing method is not held to it: its throttle
    /// bounds it); an expired one, or one past the in-process TTL, stays while its fail-safe window lasts.
    /// </summary>
    public bool TryGet<T>(in CallKey key, long nowTicks, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry<T>? entry)
    {
        if (_slots.TryGetValue(key, out Slot? slot) && slot.Entry is CacheEntry<T> found)
        {
            if (found.ExpiresUtcTicks > nowTicks && (found.IsStale || _memoryTtl() is not { } memoryTtl || nowTicks - slot.KeptTicks < memoryTtl.Ticks))
            {
                slot.Touch();
                entry = found;
                return true;
            }
            if (found.FailSafeLimit(key.Settings.FailSafe) <= nowTicks)
            {
                Remove(key, found);
            }
        }
        entry = null;
        return false;
    }

    /// <summary>The entry under <paramref name="key"/>, expired or not, while its fail-safe window lasts.</summary>
    public bool TryGetStale<T>(in CallKey key, long nowTicks, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CacheEntry<T>? entry)
    {
        if (_slots.TryGetValue(key, out Slot? slot) && slot.Entry is CacheEntry<T> found && found.FailSafeLimit(key.Settings.FailSafe) > nowTicks)
        {
            entry = found;
            return true;
        }
        entry = null;
        return false;
    }

    public void Set<T>(in CallKey key, CacheEntry<T> entry, long bytes)
    {
        var slot = new Slot(entry, bytes, _now());
        Slot? replaced = null;
        _slots.AddOrUpdate(key, slot, (_, old) =>
        {
            replaced = old;
            return slot;
        });
        Interlocked.Add(ref _bytes, bytes - (replaced?.Bytes ?? 0));
        if (_slots.Count > _maxEntries() || Interlocked.Read(ref _bytes) > _maxBytes())
        {
            Trim();
        }
    }

    public bool Remove(in CallKey key)
    {
        if (_slots.TryRemove(key, out Slot? slot))
        {
            Interlocked.Add(ref _bytes, -slot.Bytes);
            return true;
        }
        return false;
    }

    /// <summary>Removes the entry under <paramref name="key"/> only if it is still <paramref name="entry"/>.</summary>
    public bool Remove(in CallKey key, object entry)
    {
        if (_slots.TryGetValue(key, out Slot? slot) && ReferenceEquals(slot.Entry, entry)
            && _slots.TryRemove(new KeyValuePair<CallKey, Slot>(key, slot)))
        {
            Interlocked.Add(ref _bytes, -slot.Bytes);
            return true;
        }
        return false;
    }

    /// <summary>Drops every entry of the methods for which <paramref name="match"/> is true.</summary>
    public void RemoveWhere(Func<LlmCachedMethod, bool> match)
    {
        foreach (KeyValuePair<CallKey, Slot> pair in _slots)
        {
            if (match(pair.Key.Settings.Method))
            {
                Remove(pair.Key);
            }
        }
    }

    /// <summary>Drops every entry for which <paramref name="match"/> (its key, its entry object) is true.</summary>
    public void RemoveWhere(Func<CallKey, object, bool> match)
    {
        foreach (KeyValuePair<CallKey, Slot> pair in _slots)
        {
            if (match(pair.Key, pair.Value.Entry))
            {
                Remove(pair.Key);
            }
        }
    }

    public void Clear()
    {
        _slots.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    private void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }
        try
        {
            KeyValuePair<CallKey, Slot>[] all = _slots.ToArray();
            Array.Sort(all, static (x, y) => x.Value.LastAccess.CompareTo(y.Value.LastAccess));
            int target = Math.Max(all.Length / 10, all.Length - _maxEntries());
            for (int i = 0; i < all.Length && (i < target || Interlocked.Read(ref _bytes) > _maxBytes()); i++)
            {
                Remove(all[i].Key);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private sealed class Slot(object entry, long bytes, long keptTicks)
    {
        /// <summary>When the entry was kept here (UTC ticks of the runtime's clock).</summary>
        public long KeptTicks { get; } = keptTicks;

        private long _lastAccess = System.Diagnostics.Stopwatch.GetTimestamp();

        public object Entry { get; } = entry;

        public long Bytes { get; } = bytes;

        public long LastAccess => Volatile.Read(ref _lastAccess);

        public void Touch() => Volatile.Write(ref _lastAccess, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}
