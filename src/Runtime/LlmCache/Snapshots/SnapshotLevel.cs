using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LlmCache;

/// <summary>
/// The runtime's side of its snapshot tiers (<see cref="SnapshotTier"/>): the seam through which they
/// receive entries as values with their key and request digests, instead of HybridCache's opaque
/// payloads, and the explanation of a replay miss. Read after the byte tiers, written after them;
/// a failure is a counted miss or a dropped write, never the caller's exception.
/// </summary>
internal sealed class SnapshotLevel
{
    private readonly SnapshotTier[] _tiers;
    private readonly CallRecorder _recorder;
    private readonly JsonSerializerOptions _options;

    public SnapshotLevel(IReadOnlyList<SnapshotTier> tiers, CallRecorder recorder, JsonSerializerOptions options)
    {
        _tiers = [.. tiers];
        _recorder = recorder;
        _options = options;
        RecordsArguments = Array.Exists(_tiers, static t => t.IncludeArguments && !t.IsReadOnly);
    }

    /// <summary>Whether any snapshot tier is configured (keys then carry their <see cref="CallKey.Request"/>).</summary>
    public bool RecordsRequests => _tiers.Length > 0;

    /// <summary>Whether a writable tier stores arguments, so requests render them.</summary>
    public bool RecordsArguments { get; }

    /// <summary>
    /// The entry of <paramref name="key"/> from the first tier that holds a usable one: never expiring,
    /// created when its file was written, and marked <see cref="CacheEntry{T}.Sampled"/> when the file
    /// holds several answers (so it is not kept in memory and the next call gets the next one).
    /// </summary>
    public async ValueTask<CacheEntry<T>?> ReadAsync<T>(CallKey key, string keyString, CancellationToken cancellationToken)
    {
        if (_tiers.Length == 0)
        {
            return null;
        }
        LlmCachedMethod method = key.Settings.Method;
        foreach (SnapshotTier tier in _tiers)
        {
            SnapshotRead read = await tier.ReadAsync(method.Name, keyString, cancellationToken).ConfigureAwait(false);
            if (read.Value is null)
            {
                continue;
            }
            try
            {
                T value = JsonSerializer.Deserialize(read.Value, (JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T)))!;
                return new CacheEntry<T>(value, read.WrittenUtcTicks, DateTime.MaxValue.Ticks) { Sampled = read.Samples > 1 };
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                // A file edited by hand, or recorded for another result type: a miss, explained if it was a replay.
                tier.ReportProblem(keyString, $"its answer cannot be read as {TypeNames.Of(typeof(T))}: {ex.Message}");
                _recorder.Error(key.Settings, "snapshot-read", ex);
            }
        }
        return null;
    }

    /// <summary>Writes a stored answer to every writable tier, with what was recorded of its request; failures are counted, never thrown.</summary>
    public void Write<T>(CallKey key, string keyString, T value)
    {
        if (_tiers.Length == 0)
        {
            return;
        }
        byte[] json;
        try
        {
            json = JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T)));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            _recorder.Error(key.Settings, "snapshot-write", ex);
            return;
        }
        foreach (SnapshotTier tier in _tiers)
        {
            try
            {
                tier.Write(key.Settings.Method.Name, keyString, key.Request, json);
            }
            catch (Exception ex)
            {
                _recorder.Error(key.Settings, "snapshot-write", ex);
            }
        }
    }

    /// <summary>Removes the files of <paramref name="key"/>; false when a tier failed to.</summary>
    public bool Remove(string key)
    {
        bool complete = true;
        foreach (SnapshotTier tier in _tiers)
        {
            try
            {
                tier.Remove(key);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                complete = false;
            }
        }
        return complete;
    }

    /// <summary>The exception of a replayed call that could not be served from the cache at all, for <paramref name="reason"/>.</summary>
    public LlmCacheMissException Uncached(LlmCachedMethod method, string reason)
    {
        Log.ReplayMiss(_recorder.Logger, method.Id);
        string message = $"LlmCache replay: a call of {method.Name} cannot be served from the cache: {reason}. In Replay mode the method is never called.";
        return new LlmCacheMissException(message, method.Name, key: null, reason, closest: null, differences: [], equal: []);
    }

    /// <summary>
    /// The exception of a replayed call nothing was recorded for: the method, the key, and how the call
    /// differs from the closest recording of the method that the snapshot tiers list.
    /// </summary>
    public LlmCacheMissException Miss(CallKey key)
    {
        LlmCachedMethod method = key.Settings.Method;
        Log.ReplayMiss(_recorder.Logger, method.Id);
        string keyString = key.ToKeyString();
        var text = new StringBuilder();
        text.Append("LlmCache replay: no recorded answer for ").Append(method.Name).Append(" (key …").Append(CallRecorder.KeyHash(key)).Append("). ");
        string? closest = null;
        List<string> equal = [];
        List<string> differences = [];
        if (_tiers.Length == 0)
        {
            text.Append("No snapshot tier is configured, so no recording could be compared. ");
        }
        else
        {
            foreach (SnapshotTier tier in _tiers)
            {
                if (tier.ProblemOf(keyString) is { } problem)
                {
                    text.Append("Its snapshot file ").Append(tier.PathOf(method.Name, keyString)).Append(" cannot be used: ").Append(problem).Append(". ");
                }
            }
            closest = Closest(key, keyString, text, equal, differences);
        }
        text.Append("Record it with LLMCACHE_MODE=record (or LlmCacheOptions.Mode = Record) and review the new snapshot file.");
        return new LlmCacheMissException(text.ToString(), method.Name, keyString, reason: null, closest, differences, equal);
    }

    private string? Closest(CallKey key, string keyString, StringBuilder text, List<string> equal, List<string> differences)
    {
        LlmCachedMethod method = key.Settings.Method;
        string prefix = keyString[..^64];
        Dictionary<string, string> current = ToDictionary(key.Request);
        SnapshotListing? best = null;
        (int Parameters, int Parts) bestLikeness = (-1, -1);
        string? otherPrefix = null;
        foreach (SnapshotTier tier in _tiers)
        {
            foreach (SnapshotListing listing in tier.List(method.Name))
            {
                if (listing.Key == keyString)
                {
                    continue; // this call's own file, unusable (its problem is reported above)
                }
                if (listing.Key.Length != keyString.Length || !listing.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    otherPrefix ??= listing.Key.Length > 64 ? listing.Key[..^64] : listing.Key;
                    continue;
                }
                (int Parameters, int Parts) likeness = RequestDiff.Likeness(method.KeyedParameters, current, listing.Digests);
                if (likeness.CompareTo(bestLikeness) > 0)
                {
                    best = listing;
                    bestLikeness = likeness;
                }
            }
        }
        if (best is null)
        {
            text.Append(otherPrefix is null
                ? $"The snapshot folder holds no recording of {method.Name}. "
                : $"{method.Name} was recorded only under other key prefixes ({otherPrefix}…): its signature, namespace or tenant changed since. ");
            return null;
        }
        text.Append("Closest recording: ").Append(best.Path).Append(": ");
        if (best.Digests.Count == 0 || current.Count == 0)
        {
            text.Append("it holds no digests to compare with. ");
            return best.Path;
        }
        (List<string> same, List<string> differ) = RequestDiff.Compare(method.KeyedParameters, current, best.Digests);
        equal.AddRange(same);
        differences.AddRange(differ);
        text.Append(differ.Count == 0 ? "no keyed parameter differs (the key prefix or tenant does)" : string.Join(", ", differ.Take(RequestDiff.MaxListed)));
        if (differ.Count > RequestDiff.MaxListed)
        {
            text.Append(" and ").Append(differ.Count - RequestDiff.MaxListed).Append(" more");
        }
        text.Append(same.Count == 0 ? "; no parameter equal. " : "; " + string.Join(", ", same) + " equal. ");
        return best.Path;
    }

    private static Dictionary<string, string> ToDictionary(RecordedRequest? request)
    {
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request is not null)
        {
            foreach (KeyValuePair<string, string> digest in request.Digests)
            {
                digests[digest.Key] = digest.Value;
            }
        }
        return digests;
    }
}
