using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Hybrid;

namespace LlmCache;

/// <summary>
/// Serializes <see cref="CacheEntry{T}"/>: a fixed binary header (format version, creation and expiry
/// times) followed by the value as UTF-8 JSON from the configured <see cref="JsonSerializerOptions"/>.
/// </summary>
internal sealed class EntrySerializer<T> : IHybridCacheSerializer<CacheEntry<T>>
{
    private const byte FormatVersion = 1;
    private const int HeaderSize = 17;

    private readonly JsonTypeInfo<T> _typeInfo;

    public EntrySerializer(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    public CacheEntry<T> Deserialize(ReadOnlySequence<byte> source)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        if (source.Length < HeaderSize)
        {
            throw new InvalidDataException("A cache entry is shorter than its header.");
        }
        source.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] != FormatVersion)
        {
            throw new InvalidDataException($"A cache entry has format {header[0]}, expected {FormatVersion}.");
        }
        long created = BinaryPrimitives.ReadInt64LittleEndian(header[1..]);
        long expires = BinaryPrimitives.ReadInt64LittleEndian(header[9..]);
        var reader = new Utf8JsonReader(source.Slice(HeaderSize));
        T value = JsonSerializer.Deserialize(ref reader, _typeInfo)!;
        return new CacheEntry<T>(value, created, expires);
    }

    public void Serialize(CacheEntry<T> value, IBufferWriter<byte> target)
    {
        ResultTypes.EnsureReadBackAsItself(value.Value, _typeInfo);
        Span<byte> header = target.GetSpan(HeaderSize);
        header[0] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(header[1..], value.CreatedUtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(header[9..], value.ExpiresUtcTicks);
        target.Advance(HeaderSize);
        using var writer = new Utf8JsonWriter(target, new JsonWriterOptions { SkipValidation = true });
        JsonSerializer.Serialize(writer, value.Value, _typeInfo);
    }
}

/// <summary>
/// Hands HybridCache the serializer of each entry type. The runtime registers a result type before
/// its first use, so no serializer is made by reflection over generic type definitions.
/// </summary>
internal sealed class EntrySerializerFactory : IHybridCacheSerializerFactory
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly JsonSerializerOptions _options;

    public EntrySerializerFactory(JsonSerializerOptions options) => _options = options;

    public void Register<T>()
    {
        if (!_serializers.ContainsKey(typeof(CacheEntry<T>)))
        {
            _serializers.TryAdd(typeof(CacheEntry<T>), new EntrySerializer<T>(_options));
        }
    }

    /// <summary>The serialized size of a fresh entry, so an entry above the limit is never kept (misses only).</summary>
    public long Measure<T>(CacheEntry<T> entry)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        ((IHybridCacheSerializer<CacheEntry<T>>)_serializers[typeof(CacheEntry<T>)]).Serialize(entry, buffer);
        return buffer.WrittenCount;
    }

    public bool TryCreateSerializer<T>([NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
    {
        if (_serializers.TryGetValue(typeof(T), out object? known))
        {
            serializer = (IHybridCacheSerializer<T>)known;
            return true;
        }
        serializer = null;
        return false;
    }
}
