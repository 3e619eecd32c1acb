using System.ClientModel.Primitives;

namespace LlmCache;

/// <summary>
/// The raw response of a <c>ClientResult&lt;T&gt;</c> served from the cache: status 200, a JSON content
/// type, and the stored JSON of the value as its content, already buffered.
/// </summary>
internal sealed class StoredPipelineResponse : PipelineResponse
{
    private readonly BinaryData _content;
    private Stream? _contentStream;

    public StoredPipelineResponse(BinaryData content) => _content = content;

    public override int Status => 200;

    public override string ReasonPhrase => "OK";

    protected override PipelineResponseHeaders HeadersCore { get; } = new JsonContentHeaders();

    public override Stream? ContentStream
    {
        get => _contentStream ??= _content.ToStream();
        set => _contentStream = value;
    }

    public override BinaryData Content => _content;

    public override BinaryData BufferContent(CancellationToken cancellationToken = default) => _content;

    public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => new(_content);

    public override void Dispose() => _contentStream?.Dispose();

    /// <summary>One header: the content is JSON.</summary>
    private sealed class JsonContentHeaders : PipelineResponseHeaders
    {
        private const string ContentType = "Content-Type";
        private const string Json = "application/json";

        public override bool TryGetValue(string name, out string? value)
        {
            value = string.Equals(name, ContentType, StringComparison.OrdinalIgnoreCase) ? Json : null;
            return value is not null;
        }

        public override bool TryGetValues(string name, out IEnumerable<string>? values)
        {
            values = TryGetValue(name, out string? value) ? [value!] : null;
            return values is not null;
        }

        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            yield return new KeyValuePair<string, string>(ContentType, Json);
        }
    }
}
