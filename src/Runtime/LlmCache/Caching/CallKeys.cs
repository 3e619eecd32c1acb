using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace LlmCache;

/// <summary>
/// Builds and reads back the keys of cached calls: the per-method settings of the current
/// configuration (prefix, TTL, switches), the argument digest, the tenant partition and the key
/// string <c>llmcache:{ns}:{method}[~{method ns}]:[t-{tenant}:]{sha256}</c>. The one place that knows
/// the key format.
/// </summary>
internal sealed class CallKeys
{
    private readonly LlmCacheRuntime _runtime;
    private readonly CallRecorder _recorder;
    private readonly byte[]? _secret;
    private readonly bool _secretCoversArguments;
    private readonly ConcurrentDictionary<LlmCachedMethod, LlmCachedMethod.KeySettings> _settings = new();
    private readonly ConcurrentDictionary<string, LlmCachedMethod.KeySettings> _settingsByPrefix = new(StringComparer.Ordinal);

    public CallKeys(LlmCacheRuntime runtime, CallRecorder recorder)
    {
        _runtime = runtime;
        _recorder = recorder;
        _secret = runtime.Options.KeySecret is { } secret ? System.Text.Encoding.UTF8.GetBytes(secret) : null;
        _secretCoversArguments = _secret is not null && runtime.Options.KeySecretCoversArguments;
    }

    /// <summary>The key settings of a method under the current configuration: one instance per generation.</summary>
    public LlmCachedMethod.KeySettings SettingsOf(LlmCachedMethod method)
    {
        int generation = _runtime.Generation;
        if (_settings.TryGetValue(method, out LlmCachedMethod.KeySettings? known) && known.Generation == generation)
        {
            return known;
        }
        var created = new LlmCachedMethod.KeySettings(method, _runtime);
        LlmCachedMethod.KeySettings settings = _settings.AddOrUpdate(method, created,
            (_, old) => old.Generation == created.Generation ? old : created);
        _settingsByPrefix[settings.Prefix] = settings;
        if (method.TenantParameter is not null && _secret is null && _recorder.Once("tenant-secret:" + method.Id))
        {
            Log.TenantWithoutSecret(_recorder.Logger, method.Id);
        }
        return settings;
    }

    /// <summary>Forgets the settings of older generations (after a reconfiguration).</summary>
    public void Clear()
    {
        _settings.Clear();
        _settingsByPrefix.Clear();
    }

    /// <summary>
    /// The key of one call, or false when the call must run uncached: the cache or the method is
    /// switched off, the call bypasses it, or its arguments cannot be keyed (counted and logged).
    /// </summary>
    public bool TryBuild<TState>(LlmCachedMethod method, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, CacheControl? control, out CallKey key)
    {
        key = default;
        if (!_runtime.Enabled || control is { Bypass: true })
        {
            return false;
        }
        LlmCachedMethod.KeySettings settings = method.SettingsFor(_runtime);
        if (!settings.Enabled)
        {
            return false;
        }
        try
        {
            key = Build(settings, in state, writeKey, writeTenant, marks: null, out bool passThrough, _runtime.Snapshots.RecordsRequests);
            return !passThrough;
        }
        catch (Exception ex)
        {
            _recorder.KeyFailed(settings, ex);
            return false;
        }
    }

    /// <summary>
    /// Builds a call's key; <paramref name="marks"/>, when given, receives where each parameter starts;
    /// with <paramref name="recordRequest"/> the key carries what a snapshot records of the request (<see cref="CallKey.Request"/>).
    /// </summary>
    public CallKey Build<TState>(LlmCachedMethod.KeySettings settings, in TState state, KeyBuilder<TState> writeKey,
        KeyBuilder<TState>? writeTenant, long[]? marks, out bool passThrough, bool recordRequest = false)
    {
        Span<byte> digest = stackalloc byte[32];
        ulong tenant = 0;
        passThrough = false;
        // A method's own tenant parameter wins over the flow's tenant (LlmCacheScope.ForTenant).
        string? scopedTenant = writeTenant is null ? LlmCacheScope.CurrentTenant : null;
        if (writeTenant is not null)
        {
            // The tenant partitions the key by a keyed hash of its value: never stored raw, never shared.
            KeyWriter tenantWriter = KeyWriter.Rent(string.Empty);
            try
            {
                writeTenant(tenantWriter, in state);
                tenantWriter.CompleteHash(digest);
            }
            finally
            {
                tenantWriter.Dispose();
            }
            if (_secret is not null)
            {
                HMACSHA256.HashData(_secret, digest, digest);
            }
            tenant = BinaryPrimitives.ReadUInt64BigEndian(digest);
        }
        else if (scopedTenant is not null)
        {
            // The same partition a string tenant parameter with this value writes to.
            tenant = TenantPartition(scopedTenant);
        }
        bool hasTenant = writeTenant is not null || scopedTenant is not null;
        KeyWriter writer = KeyWriter.Rent(string.Empty);
        writer.PassThrough = false;
        KeyPathRecorder? paths = recordRequest ? new KeyPathRecorder(settings.Method.KeyedParameters) : null;
        try
        {
            if (marks is not null)
            {
                writer.RecordMarks(marks);
            }
            if (paths is not null)
            {
                writer.RecordPaths(paths);
            }
            writeKey(writer, in state);
            if (marks is not null)
            {
                marks[^1] = writer.BytesWritten;
            }
            paths?.Finish(writer.BytesWritten);
            passThrough = writer.PassThrough;
            writer.CompleteHash(digest);
        }
        finally
        {
            writer.Dispose();
        }
        if (_secretCoversArguments)
        {
            HMACSHA256.HashData(_secret, digest, digest);
        }
        var key = new CallKey(settings, Digest256.From(digest), tenant, hasTenant);
        return paths is null ? key : key with { Request = paths.Complete(_runtime.Snapshots.RecordsArguments, _secretCoversArguments ? _secret : null) };
    }

    /// <summary>The partition a tenant value writes to (what <see cref="LlmCacheRuntime.ForgetTenantAsync"/> removes).</summary>
    public ulong TenantPartition<TTenant>(TTenant tenant)
    {
        Span<byte> digest = stackalloc byte[32];
        KeyWriter writer = KeyWriter.Rent(string.Empty);
        try
        {
            // The bytes the generated tenant writer produces for a value of this type.
            writer.WriteValue(tenant);
            writer.CompleteHash(digest);
        }
        finally
        {
            writer.Dispose();
        }
        if (_secret is not null)
        {
            HMACSHA256.HashData(_secret, digest, digest);
        }
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>Reads a key string back into its call key: prefix (method and namespace), optional tenant segment, digest.</summary>
    public bool TryParse(string key, out CallKey callKey)
    {
        callKey = default;
        if (key.Length < 64 || !Digest256.TryParseHex(key.AsSpan(key.Length - 64), out Digest256 digest))
        {
            return false;
        }
        string prefix = key[..^64];
        ulong tenant = 0;
        bool hasTenant = false;
        if (!_settingsByPrefix.TryGetValue(prefix, out LlmCachedMethod.KeySettings? settings))
        {
            // llmcache:{ns}:{method}:t-{16 hex}:
            if (prefix.Length < 20 || prefix[^20..^17] != ":t-"
                || !ulong.TryParse(prefix.AsSpan(prefix.Length - 17, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out tenant)
                || !_settingsByPrefix.TryGetValue(prefix[..^19], out settings))
            {
                return false;
            }
            hasTenant = true;
        }
        callKey = new CallKey(settings, digest, tenant, hasTenant);
        return true;
    }
}
