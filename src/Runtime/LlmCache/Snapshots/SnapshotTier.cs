using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;

namespace LlmCache;

/// <summary>
/// A tier that keeps entries as reviewable files in a folder committed with the tests: one
/// pretty-printed JSON file per entry, <c>{Directory}/{method}/{16 hex of the key's hash}.json</c>,
/// holding the method, the key, the answer as readable JSON, the digest of every keyed parameter and
/// named part (so a replay miss says which one changed) and, opt-in, the arguments. Files are
/// deterministic — properties in a fixed or sorted order, <c>\n</c> line endings on every platform, no
/// timestamps — so recording the same answers again changes no byte.
/// <para>
/// Added to <see cref="LlmCacheOptions.Tiers"/> like any tier (or with <c>AddSnapshotTier</c>), but not
/// part of the chain of byte tiers: HybridCache hands tiers its own opaque payloads, so the runtime
/// gives this tier the entry itself (value, key, digests) and reads it after the other tiers, before
/// the method runs. Its <see cref="IDistributedCache"/> members therefore only remove files. Entries
/// read from it never expire (delete or re-record a file to change it); one recorded several times
/// in a run keeps several samples and serves them in turn (<see cref="SnapshotTierOptions.MaxSamples"/>).
/// One instance is one recording session: its first write of a key replaces the file's samples.
/// </para>
/// <para>
/// A runtime with a snapshot tier records the digests of every call's request as its key is written
/// (microseconds per call, and the arguments' bytes held meanwhile): it is meant for tests and
/// development, not for a production hot path.
/// </para>
/// </summary>
public sealed class SnapshotTier : ICacheTier
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Prompts and answers stay readable in a diff: quotes, apostrophes and non-ASCII text as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions s_readerOptions = new() { MaxDepth = 256 };

    private readonly SnapshotTierOptions _options;
    private readonly object _writing = new();
    private readonly Dictionary<string, List<byte[]>> _recorded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _cursors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);
    private volatile bool _readOnly;

    /// <summary>Creates a tier over <see cref="SnapshotTierOptions.Directory"/>.</summary>
    /// <param name="options">The folder and what the files hold.</param>
    public SnapshotTier(SnapshotTierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("The snapshot tier needs a directory.", nameof(options));
        }
        if (options.MaxSamples < 1 || options.MaximumFileBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A snapshot file keeps at least one sample and may hold at least one byte.");
        }
        _options = options;
        Directory = Path.GetFullPath(options.Directory);
    }

    /// <summary>The folder of the snapshot files (full path).</summary>
    public string Directory { get; }

    /// <summary>Whether the files hold the request's arguments (<see cref="SnapshotTierOptions.IncludeArguments"/>).</summary>
    public bool IncludeArguments => _options.IncludeArguments;

    /// <summary>Whether the tier only reads (<see cref="MakeReadOnly"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The file that holds the entry of <paramref name="key"/>, a key of <paramref name="method"/> (its name without fingerprint).</summary>
    /// <param name="method">The method's name, e.g. <c>Demo.Chat.AskAsync</c>.</param>
    /// <param name="key">The entry's key.</param>
    public string PathOf(string method, string key) => Path.Combine(Directory, FolderOf(method), FileNameOf(key));

    /// <summary>
    /// Reads the entry of <paramref name="key"/>: the next of its samples (round robin), or a miss — no
    /// file, or a file that cannot serve this key (unreadable, not JSON, another key's, no sample …),
    /// whose problem is kept for the miss's explanation. Never throws but for cancellation.
    /// </summary>
    internal async Task<SnapshotRead> ReadAsync(string method, string key, CancellationToken cancellationToken)
    {
        string path = PathOf(method, key);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return default;
            }
            if (file.Length > _options.MaximumFileBytes)
            {
                return Problem(key, $"it is larger than {_options.MaximumFileBytes} bytes");
            }
            byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            using JsonDocument document = JsonDocument.Parse(bytes, s_readerOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("key", out JsonElement stored) || stored.ValueKind != JsonValueKind.String)
            {
                return Problem(key, "it is not a snapshot (no \"key\")");
            }
            if (!string.Equals(stored.GetString(), key, StringComparison.Ordinal))
            {
                return Problem(key, $"it holds the key {stored.GetString()}, not this call's");
            }
            if (!root.TryGetProperty("samples", out JsonElement samples) || samples.ValueKind != JsonValueKind.Array || samples.GetArrayLength() == 0)
            {
                return Problem(key, "it holds no sample (\"samples\" is not a non-empty array)");
            }
            int count = samples.GetArrayLength();
            int next = _cursors.AddOrUpdate(key, 0, static (_, n) => n == int.MaxValue ? 0 : n + 1) % count;
            byte[] value = Encoding.UTF8.GetBytes(samples[next].GetRawText());
            _problems.TryRemove(key, out _);
            return new SnapshotRead(value, count, file.LastWriteTimeUtc.Ticks, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException
            or ArgumentException or NotSupportedException)
        {
            return Problem(key, ex is JsonException ? "it is not valid JSON: " + ex.Message : ex.Message);
        }
    }

    /// <summary>
    /// Writes an answer of <paramref name="key"/>. The first write of a key by this instance replaces
    /// the file's samples; later ones add to them (up to <see cref="SnapshotTierOptions.MaxSamples"/>),
    /// and identical answers are kept once. The file is replaced atomically. Does nothing when read-only.
    /// </summary>
    internal void Write(string method, string key, RecordedRequest? request, byte[] valueJson)
    {
        if (_readOnly)
        {
            return;
        }
        lock (_writing)
        {
            if (!_recorded.TryGetValue(key, out List<byte[]>? samples))
            {
                _recorded[key] = samples = new List<byte[]>();
            }
            if (samples.Count < _options.MaxSamples)
            {
                samples.Add(valueJson);
            }
            byte[] file = Format(method, key, request, samples.TrueForAll(s => s.AsSpan().SequenceEqual(samples[0])) ? [samples[0]] : samples);
            string path = PathOf(method, key);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temporary, file);
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
            _cursors.TryRemove(key, out _);
            _problems.TryRemove(key, out _);
        }
    }

    /// <summary>The recordings of <paramref name="method"/>: each readable file's path, key and digests, in file name order.</summary>
    internal IReadOnlyList<SnapshotListing> List(string method)
    {
        var listings = new List<SnapshotListing>();
        string folder = Path.Combine(Directory, FolderOf(method));
        if (!System.IO.Directory.Exists(folder))
        {
            return listings;
        }
        string[] files = System.IO.Directory.GetFiles(folder, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            try
            {
                if (new FileInfo(path).Length > _options.MaximumFileBytes)
                {
                    continue;
                }
                using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), s_readerOptions);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("key", out JsonElement key) || key.ValueKind != JsonValueKind.String)
                {
                    continue;
                }
                var digests = new Dictionary<string, string>(StringComparer.Ordinal);
                if (root.TryGetProperty("digests", out JsonElement stored) && stored.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty digest in stored.EnumerateObject())
                    {
                        if (digest.Value.ValueKind == JsonValueKind.String)
                        {
                            digests[digest.Name] = digest.Value.GetString()!;
                        }
                    }
                }
                listings.Add(new SnapshotListing(path, key.GetString()!, digests));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                // Not a recording this tier can compare with: the next one may be.
            }
        }
        return listings;
    }

    /// <summary>Notes why the file of <paramref name="key"/> could not serve it (for the miss's explanation).</summary>
    internal void ReportProblem(string key, string problem) => _problems[key] = problem;

    /// <summary>Why the file of <paramref name="key"/> could not serve it when last read, or null.</summary>
    internal string? ProblemOf(string key) => _problems.TryGetValue(key, out string? problem) ? problem : null;

    private SnapshotRead Problem(string key, string problem)
    {
        ReportProblem(key, problem);
        return default;
    }

    /// <summary>The file's bytes: fixed property order, sorted maps, two-space indents, <c>\n</c> line endings and a final newline.</summary>
    private byte[] Format(string method, string key, RecordedRequest? request, List<byte[]> samples)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("method", method);
            writer.WriteString("key", key);
            if (_options.IncludeArguments && request?.Arguments is { } arguments)
            {
                writer.WritePropertyName("arguments");
                arguments.WriteTo(writer);
            }
            writer.WriteStartArray("samples");
            foreach (byte[] sample in samples)
            {
                using JsonDocument value = JsonDocument.Parse(sample, s_readerOptions);
                value.RootElement.WriteTo(writer);
            }
            writer.WriteEndArray();
            if (request is not null)
            {
                writer.WriteStartObject("digests");
                foreach (KeyValuePair<string, string> digest in request.Digests)
                {
                    writer.WriteString(digest.Key, digest.Value);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The method's folder: its name with anything but letters, digits, '.', '_' and '-' replaced by '_'.</summary>
    private static string FolderOf(string method)
    {
        var name = new StringBuilder(method.Length);
        foreach (char c in method)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }
        return name.Length == 0 || name.ToString().Trim('.').Length == 0 ? "_" : name.ToString();
    }

    /// <summary>16 hex digits of the SHA-256 of the whole key, so namespaces, signatures and tenants never share a file.</summary>
    private static string FileNameOf(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 8).ToLowerInvariant() + ".json";

    /// <inheritdoc />
    public void MakeReadOnly() => _readOnly = true;

    /// <inheritdoc />
    /// <remarks>Always a miss: the runtime reads snapshot entries through its own seam (see the type's remarks).</remarks>
    public Task<TierValue?> GetBoundedAsync(string key, long maximumBytes, CancellationToken token = default) => Task.FromResult<TierValue?>(null);

    /// <inheritdoc />
    /// <remarks>Always a miss: the files hold entries, not HybridCache payloads.</remarks>
    public byte[]? Get(string key) => null;

    /// <inheritdoc />
    /// <remarks>Always a miss: the files hold entries, not HybridCache payloads.</remarks>
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);

    /// <inheritdoc />
    /// <remarks>Ignored: the runtime writes snapshot entries through its own seam.</remarks>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
    }

    /// <inheritdoc />
    /// <remarks>Ignored: the runtime writes snapshot entries through its own seam.</remarks>
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Refresh(string key)
    {
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    /// <inheritdoc />
    /// <remarks>Deletes the file of <paramref name="key"/>, whatever its method (unless read-only).</remarks>
    public void Remove(string key)
    {
        if (_readOnly || !System.IO.Directory.Exists(Directory))
        {
            return;
        }
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, FileNameOf(key), SearchOption.AllDirectories))
        {
            File.Delete(path);
        }
        _cursors.TryRemove(key, out _);
    }

    /// <inheritdoc />
    /// <remarks>Deletes the file of <paramref name="key"/>, whatever its method (unless read-only).</remarks>
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        Remove(key);
        return Task.CompletedTask;
    }
}

/// <summary>What a read of a snapshot found: one sample's JSON, how many the file holds, and when the file was written; or a miss (no value).</summary>
internal readonly record struct SnapshotRead(byte[]? Value, int Samples, long WrittenUtcTicks, string? Problem);

/// <summary>One recording of a method: its file, its key and the digests of its request's parts.</summary>
internal sealed record SnapshotListing(string Path, string Key, IReadOnlyDictionary<string, string> Digests);
