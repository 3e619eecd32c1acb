using System.Text;

namespace LlmCache;

/// <summary>One parameter's part in a key: its name and how many canonical bytes it contributed.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="EncodedBytes">Bytes of its canonical encoding.</param>
public readonly record struct KeyPart(string Name, long EncodedBytes);

/// <summary>
/// Why a call has the key it has, for debugging "my cache never hits": the key, the method id and
/// namespace, which parameters went in with their encoded sizes, and which were left out. It never
/// holds an argument's value, so it is safe to log.
/// </summary>
public sealed class KeyExplanation
{
    internal KeyExplanation(string key, LlmCachedMethod method, string @namespace, bool tenantPartitioned, IReadOnlyList<KeyPart> parts)
    {
        Key = key;
        MethodId = method.Id;
        Namespace = @namespace;
        TenantPartitioned = tenantPartitioned;
        Parts = parts;
        Ignored = method.IgnoredParameters;
    }

    /// <summary>The full key.</summary>
    public string Key { get; }

    /// <summary>The method id (type, name, signature fingerprint).</summary>
    public string MethodId { get; }

    /// <summary>The runtime's namespace at the time of the explanation.</summary>
    public string Namespace { get; }

    /// <summary>Whether the key lies in a tenant partition.</summary>
    public bool TenantPartitioned { get; }

    /// <summary>The keyed parameters in order with their encoded sizes.</summary>
    public IReadOnlyList<KeyPart> Parts { get; }

    /// <summary>Parameters that never enter the key (ignored, cancellation tokens, cache controls).</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("key ").Append(Key).Append('\n');
        text.Append("method ").Append(MethodId).Append(", namespace ").Append(Namespace);
        text.Append(TenantPartitioned ? ", tenant partition" : string.Empty).Append('\n');
        foreach (KeyPart part in Parts)
        {
            text.Append("  + ").Append(part.Name).Append(": ").Append(part.EncodedBytes).Append(" bytes\n");
        }
        foreach (string name in Ignored)
        {
            text.Append("  - ").Append(name).Append(" (not keyed)\n");
        }
        return text.ToString();
    }
}
