using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// Remembers when keys, tags and tenants were removed, so that a removal wins over anything that
/// started before it: a store by a call already in flight is dropped, and an entry read from a tier
/// that was created before the removal (a promotion or background write that landed late, or a copy
/// another process still holds) is not served. Tag and tenant removals are also written to the
/// shared tiers and re-read at most once a <see cref="SharedCheckInterval"/>, so every process sharing
/// them honours a removal made by any of them, including processes started later.
/// </summary>
internal sealed class RemovalLog
{
    /// <summary>How long a shared tag time read from the tiers is trusted before it is read again.</summary>
    public static readonly TimeSpan SharedCheckInterval = TimeSpan.FromSeconds(1);

    // How long a tag or tenant removal record lives in the shared tiers: longer than any entry should.
    private static readonly TimeSpan SharedRetention = TimeSpan.FromDays(400);

    // Key removals matter only to calls in flight and to late tier writes: a short memory is enough.
    private static readonly long KeyRetentionTicks = TimeSpan.FromMinutes(10).Ticks;
    private const int KeyLimit = 100_000;

    // Keyed by what the key string holds (prefix, tenant, digest), not by the configuration generation:
    // a reload that keeps the namespace keeps the key strings, so a removal must outlive it.
    private readonly ConcurrentDictionary<RemovedKey, long> _keys = new();
    private readonly ConcurrentDictionary<string, Shared> _tags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, Shared> _tenants = new();
    private readonly ConcurrentDictionary<string, Shared> _methods = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Func<string> _namespace;
    private readonly TieredCache? _tiers;

    public RemovalLog(TimeProvider time, Func<string> @namespace, TieredCache? tiers)
    {
        _time = time;
        _namespace = @namespace;
        _tiers = tiers;
    }

    private long Now => _time.GetUtcNow().UtcTicks;

    /// <summary>Records that <paramref name="key"/> was removed now.</summary>
    public void KeyRemoved(in CallKey key) => KeyRemoved(RemovedKey.Of(key));

    /// <summary>
    /// Records that the key string <paramref name="key"/> was removed now, whether or not its method has
    /// been called under the current configuration; false when it is not a call's key.
    /// </summary>
    public bool KeyRemoved(string key)
    {
        if (!RemovedKey.TryParse(key, out RemovedKey removed))
        {
            return false;
        }
        KeyRemoved(removed);
        return true;
    }

    private void KeyRemoved(RemovedKey key)
    {
        long now = Now;
        _keys[key] = now;
        if (_keys.Count > KeyLimit)
        {
            foreach (KeyValuePair<RemovedKey, long> pair in _keys)
            {
                if (now - pair.Value > KeyRetentionTicks)
                {
                    _keys.TryRemove(pair);
                }
            }
        }
    }

    /// <summary>Records a tag removal here and, when <paramref name="share"/>, in the shared tiers; false while a tier has not got it yet.</summary>
    public Task<bool> TagRemovedAsync(string tag, bool share) => RemovedAsync(TagEntry(tag), Now, share);

    /// <summary>Records a tenant removal here and, when <paramref name="share"/>, in the shared tiers; false while a tier has not got it yet.</summary>
    public Task<bool> TenantRemovedAsync(ulong partition, bool share) => RemovedAsync(TenantEntry(partition), Now, share);

    /// <summary>
    /// Records that every entry of the method <paramref name="methodId"/> was removed now: in
    /// <paramref name="counters"/> (read by every call of the method; null when it has not been called
    /// here, and its first tier read learns of it) and, when <paramref name="share"/>, in the shared
    /// tiers, which every process re-reads before serving an entry read from them.
    /// </summary>
    public Task<bool> MethodRemovedAsync(string methodId, MethodCounters? counters, bool share)
    {
        long now = Now;
        counters?.Removed(now);
        return RemovedAsync(MethodEntry(methodId), now, share);
    }

    /// <summary>
    /// The last removal that applies to <paramref name="key"/> as this process knows it now, without
    /// waiting for I/O: shared records not looked at for a while are re-read in the background, so a
    /// process that shares a tier without a notification channel still learns of removals within
    /// about a <see cref="SharedCheckInterval"/>.
    /// </summary>
    public long LastRemoval(in CallKey key)
    {
        long last = _keys.IsEmpty ? 0 : _keys.TryGetValue(RemovedKey.Of(key), out long removed) ? removed : 0;
        last = Math.Max(last, Volatile.Read(ref key.Settings.Counters.RemovedUtcTicks));
        IReadOnlyList<string> tags = key.Settings.Method.Tags;
        if (tags.Count == 0 && !key.HasTenant)
        {
            return last;
        }
        long now = Now;
        for (int i = 0; i < tags.Count; i++)
        {
            last = Math.Max(last, Observe(TagEntry(tags[i]), now));
        }
        if (key.HasTenant)
        {
            last = Math.Max(last, Observe(TenantEntry(key.Tenant), now));
        }
        return last;
    }

    /// <summary>
    /// The last removal that applies to <paramref name="key"/>, with the shared records of its tags and
    /// tenant re-read from the tiers first when this process has not looked for a while.
    /// </summary>
    public async ValueTask<long> LastSharedRemovalAsync(CallKey key, CancellationToken cancellationToken)
    {
        if (_tiers is not null)
        {
            long now = Now;
            foreach (string tag in key.Settings.Method.Tags)
            {
                await RefreshAsync(TagEntry(tag), now, cancellationToken).ConfigureAwait(false);
            }
            if (key.HasTenant)
            {
                await RefreshAsync(TenantEntry(key.Tenant), now, cancellationToken).ConfigureAwait(false);
            }
            Shared method = MethodEntry(key.Settings.Method.Id);
            await RefreshAsync(method, now, cancellationToken).ConfigureAwait(false);
            key.Settings.Counters.Removed(method.Removed);
        }
        return LastRemoval(key);
    }

    /// <summary>
    /// Forgets the tag, method and tenant times held in memory (after a reconfiguration: the namespace of their
    /// shared records may have changed); those records are read again when needed. Key removals are
    /// kept: a call of the old configuration still running must not store what was removed, under a
    /// key string the new configuration may share.
    /// </summary>
    public void Clear()
    {
        _tags.Clear();
        _tenants.Clear();
        _methods.Clear();
    }

    private Shared TagEntry(string tag) => _tags.GetOrAdd(tag, static (t, self) => new Shared(self.TagRecord(t)), this);

    // A method removal is kept as the record of a tag no user tag can be (tag records are hashed),
    // looked up by the method id alone: a tier read of any method asks for it.
    private Shared MethodEntry(string methodId) =>
        _methods.GetOrAdd(methodId, static (id, self) => new Shared(self.TagRecord(MethodRemovalTag + id)), this);

    /// <summary>The tag under which a method's removal is recorded and announced to other processes.</summary>
    public const string MethodRemovalTag = "\u0001method:";

    private Shared TenantEntry(ulong partition) => _tenants.GetOrAdd(partition, static (p, self) => new Shared(self.TenantRecord(p)), this);

    private long Observe(Shared entry, long now)
    {
        if (_tiers is not null && now - Volatile.Read(ref entry.CheckedTicks) >= SharedCheckInterval.Ticks)
        {
            _ = RefreshInBackgroundAsync(entry, now);
        }
        return entry.Removed;
    }

    private async Task RefreshInBackgroundAsync(Shared entry, long now)
    {
        try
        {
            await RefreshAsync(entry, now, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The tiers report their own failures; the record is read again at the next interval.
        }
    }

    private async Task<bool> RemovedAsync(Shared entry, long now, bool share)
    {
        entry.Raise(now);
        Volatile.Write(ref entry.CheckedTicks, now);
        if (!share || _tiers is null)
        {
            return true;
        }
        byte[] value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, now);
        return await _tiers.SetEverywhereAsync(entry.Record, value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = SharedRetention },
            supersedes: static (mine, held) => held.Length != 8
                || BinaryPrimitives.ReadInt64LittleEndian(mine) > BinaryPrimitives.ReadInt64LittleEndian(held)).ConfigureAwait(false);
    }

    private async ValueTask RefreshAsync(Shared entry, long now, CancellationToken cancellationToken)
    {
        long checkedTicks = Volatile.Read(ref entry.CheckedTicks);
        if (now - checkedTicks < SharedCheckInterval.Ticks
            || Interlocked.CompareExchange(ref entry.CheckedTicks, now, checkedTicks) != checkedTicks)
        {
            return; // looked at recently, or another caller is looking now
        }
        byte[]? value = await _tiers!.GetAsync(entry.Record, cancellationToken).ConfigureAwait(false);
        if (value is { Length: 8 })
        {
            entry.Raise(BinaryPrimitives.ReadInt64LittleEndian(value));
        }
    }

    private string TagRecord(string tag)
    {
        // Hashed: a tag may hold any character, and every tier must accept the record's key.
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tag), hash);
        return "llmcache:" + _namespace() + ":~tag:" + Convert.ToHexString(hash[..16]).ToLowerInvariant();
    }

    private string TenantRecord(ulong partition) =>
        "llmcache:" + _namespace() + ":~tenant:" + partition.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A removed key as its string spells it: the method's prefix, the tenant segment, the digest.</summary>
    private readonly record struct RemovedKey(string Prefix, Digest256 Digest, ulong Tenant, bool HasTenant)
    {
        public static RemovedKey Of(in CallKey key) => new(key.Settings.Prefix, key.Digest, key.Tenant, key.HasTenant);

        public static bool TryParse(string key, out RemovedKey removed)
        {
            removed = default;
            if (key.Length < 64 || !Digest256.TryParseHex(key.AsSpan(key.Length - 64), out Digest256 digest))
            {
                return false;
            }
            string prefix = key[..^64];
            // llmcache:{ns}:{method}:t-{16 hex}: (as CallKey.ToKeyString writes it)
            if (prefix.Length >= 20 && prefix.AsSpan()[^20..^17].SequenceEqual(":t-")
                && ulong.TryParse(prefix.AsSpan(prefix.Length - 17, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out ulong tenant))
            {
                removed = new RemovedKey(prefix[..^19], digest, tenant, HasTenant: true);
                return true;
            }
            removed = new RemovedKey(prefix, digest, 0, HasTenant: false);
            return true;
        }
    }

    private sealed class Shared(string record)
    {
        private long _removed;
        public long CheckedTicks = long.MinValue / 2;

        public string Record { get; } = record;

        public long Removed => Volatile.Read(ref _removed);

        public void Raise(long ticks)
        {
            long seen = Volatile.Read(ref _removed);
            while (ticks > seen)
            {
                long raced = Interlocked.CompareExchange(ref _removed, ticks, seen);
                if (raced == seen)
                {
                    return;
                }
                seen = raced;
            }
        }
    }
}
