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

    private readonly ConcurrentDictionary<CallKey, long> _keys = new();
    private readonly ConcurrentDictionary<string, Shared> _shared = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Func<string> _namespace;
    private readonly IBufferDistributedCache? _tiers;

    public RemovalLog(TimeProvider time, Func<string> @namespace, IBufferDistributedCache? tiers)
    {
        _time = time;
        _namespace = @namespace;
        _tiers = tiers;
    }

    private long Now => _time.GetUtcNow().UtcTicks;

    /// <summary>Records that <paramref name="key"/> was removed now.</summary>
    public void KeyRemoved(in CallKey key)
    {
        long now = Now;
        _keys[key] = now;
        if (_keys.Count > KeyLimit)
        {
            foreach (KeyValuePair<CallKey, long> pair in _keys)
            {
                if (now - pair.Value > KeyRetentionTicks)
                {
                    _keys.TryRemove(pair);
                }
            }
        }
    }

    /// <summary>Records a tag removal here and, when <paramref name="share"/>, in the shared tiers.</summary>
    public Task TagRemovedAsync(string tag, bool share) => RemovedAsync(TagRecord(tag), Now, share);

    /// <summary>Records a tenant removal here and, when <paramref name="share"/>, in the shared tiers.</summary>
    public Task TenantRemovedAsync(ulong partition, bool share) => RemovedAsync(TenantRecord(partition), Now, share);

    /// <summary>The last removal that applies to <paramref name="key"/> as this process knows it now (no I/O).</summary>
    public long LastRemoval(in CallKey key)
    {
        long last = _keys.TryGetValue(key, out long removed) ? removed : 0;
        if (_shared.IsEmpty)
        {
            return last;
        }
        foreach (string tag in key.Settings.Method.Tags)
        {
            if (_shared.TryGetValue(TagRecord(tag), out Shared? shared))
            {
                last = Math.Max(last, shared.Removed);
            }
        }
        if (key.HasTenant && _shared.TryGetValue(TenantRecord(key.Tenant), out Shared? tenant))
        {
            last = Math.Max(last, tenant.Removed);
        }
        return last;
    }

    /// <summary>
    /// The last removal that applies to <paramref name="key"/>, with the shared records of its tags and
    /// tenant re-read from the tiers when this process has not looked for a while (entries read from
    /// a tier only: that is where another process's removal matters).
    /// </summary>
    public async ValueTask<long> LastSharedRemovalAsync(CallKey key, CancellationToken cancellationToken)
    {
        if (_tiers is not null)
        {
            foreach (string tag in key.Settings.Method.Tags)
            {
                await RefreshAsync(TagRecord(tag), cancellationToken).ConfigureAwait(false);
            }
            if (key.HasTenant)
            {
                await RefreshAsync(TenantRecord(key.Tenant), cancellationToken).ConfigureAwait(false);
            }
        }
        return LastRemoval(key);
    }

    /// <summary>Forgets everything (a new namespace orphans every entry anyway).</summary>
    public void Clear()
    {
        _keys.Clear();
        _shared.Clear();
    }

    private async Task RemovedAsync(string record, long now, bool share)
    {
        Shared entry = _shared.GetOrAdd(record, static _ => new Shared());
        entry.Raise(now);
        entry.CheckedTicks = now;
        if (share && _tiers is not null)
        {
            byte[] value = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(value, now);
            await _tiers.SetAsync(record, value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = SharedRetention })
                .ConfigureAwait(false);
        }
    }

    private async ValueTask RefreshAsync(string record, CancellationToken cancellationToken)
    {
        long now = Now;
        Shared entry = _shared.GetOrAdd(record, static _ => new Shared());
        if (now - Volatile.Read(ref entry.CheckedTicks) < SharedCheckInterval.Ticks)
        {
            return;
        }
        Volatile.Write(ref entry.CheckedTicks, now);
        byte[]? value = await _tiers!.GetAsync(record, cancellationToken).ConfigureAwait(false);
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

    private sealed class Shared
    {
        private long _removed;
        public long CheckedTicks;

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
