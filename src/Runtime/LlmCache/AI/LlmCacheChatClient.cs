using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// A chat client that serves <see cref="IChatClient.GetResponseAsync"/> and
/// <see cref="IChatClient.GetStreamingResponseAsync"/> through an <see cref="LlmCacheRuntime"/>, keyed
/// like an <c>[LlmCached]</c> method: the messages, the options, and the inner client's provider and
/// default model. An answer served from the cache carries <see cref="HitProperty"/> = <c>true</c> in its
/// <c>AdditionalProperties</c> (every replayed update, for a stream).
/// </summary>
public sealed class LlmCacheChatClient : DelegatingChatClient
{
    /// <summary>The <c>AdditionalProperties</c> entry set to <c>true</c> on an answer that came from the cache.</summary>
    public const string HitProperty = "llmcache.hit";

    private static readonly string[] s_keyedParameters = ["client", "messages", "options"];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LlmCachedMethod> s_methods = new(StringComparer.Ordinal);

    private readonly LlmCacheRuntime _runtime;
    private readonly LlmCachedMethod _response;
    private readonly LlmCachedMethod _stream;
    private readonly string? _provider;
    private readonly string? _endpoint;
    private readonly string? _model;
    private readonly bool _cacheConversations;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that answers misses.</param>
    /// <param name="runtime">The runtime that keeps the entries.</param>
    /// <param name="options">TTL, namespace, tags and conversation policy; null for the defaults.</param>
    public LlmCacheChatClient(IChatClient innerClient, LlmCacheRuntime runtime, LlmCacheChatClientOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        options ??= new LlmCacheChatClientOptions();
        ChatClientMetadata? metadata = innerClient.GetService<ChatClientMetadata>();
        _provider = metadata?.ProviderName;
        _model = metadata?.DefaultModelId;
        // Two endpoints of one provider (two deployments, a proxy and the real service) may answer differently.
        _endpoint = metadata?.ProviderUri?.AbsoluteUri;
        _cacheConversations = options.CacheConversations;
        string fingerprint = Fingerprint(_provider, _endpoint, _model, options.Namespace);
        string[] tags = [.. options.Tags ?? []];
        _response = MethodFor("LlmCache.ChatClient.GetResponseAsync." + fingerprint, options.Ttl, options.Namespace, tags);
        _stream = MethodFor("LlmCache.ChatClient.GetStreamingResponseAsync." + fingerprint, options.Ttl, options.Namespace, tags);
    }

    /// <summary>The method descriptor of <see cref="GetResponseAsync"/> calls (ids, TTL, tags).</summary>
    public LlmCachedMethod ResponseMethod => _response;

    /// <summary>The method descriptor of <see cref="GetStreamingResponseAsync"/> calls; streams never share entries with responses.</summary>
    public LlmCachedMethod StreamingMethod => _stream;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (options, CacheControl? control) = ChatOptionsCacheControl.Take(options);
        if (PassesThrough(options))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        var call = new Call(this, Materialize(messages), options);
        ChatResponse response = await _runtime.GetOrCreateValueTaskAsync(_response, call, s_writeKey, null,
            static async (c, ct) =>
            {
                c.InnerCalled = true;
                return await c.Client.InnerClient.GetResponseAsync(c.Messages, c.Options, ct).ConfigureAwait(false);
            },
            control, cancellationToken).ConfigureAwait(false);
        if (!call.InnerCalled)
        {
            // A hit is a copy made for this caller: marking it never reaches the stored entry.
            (response.AdditionalProperties ??= new AdditionalPropertiesDictionary())[HitProperty] = true;
        }
        return response;
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (options, CacheControl? control) = ChatOptionsCacheControl.Take(options);
        if (PassesThrough(options))
        {
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }
        var call = new Call(this, Materialize(messages), options);
        IAsyncEnumerable<ChatResponseUpdate> stream = _runtime.GetOrCreateStream(_stream, call, s_writeKey, null,
            static (c, ct) =>
            {
                c.InnerCalled = true;
                return c.Client.InnerClient.GetStreamingResponseAsync(c.Messages, c.Options, ct);
            },
            control, cancellationToken);
        return MarkHitsAsync(stream, call, cancellationToken);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> MarkHitsAsync(IAsyncEnumerable<ChatResponseUpdate> stream, Call call,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (ChatResponseUpdate update in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // The runtime replays a hit before the inner client could be called: no call, a replayed copy.
            if (!call.InnerCalled)
            {
                (update.AdditionalProperties ??= new AdditionalPropertiesDictionary())[HitProperty] = true;
            }
            yield return update;
        }
    }

    /// <summary>A request continuing a conversation the provider keeps reaches the model unless the user opted in.</summary>
    private bool PassesThrough(ChatOptions? options) => options?.ConversationId is not null && !_cacheConversations;

    // The key is written once and the inner client reads the messages again: a one-shot sequence is read once, here.
    private static IList<ChatMessage> Materialize(IEnumerable<ChatMessage> messages) =>
        messages as IList<ChatMessage> ?? messages.ToList();

    private static readonly KeyBuilder<Call> s_writeKey = static (KeyWriter w, in Call c) =>
    {
        w.Mark(0);
        w.WriteString(c.Client._provider);
        w.WriteString(c.Client._endpoint);
        w.WriteString(c.Client._model);
        w.Mark(1);
        w.WriteChatMessages(c.Messages);
        w.Mark(2);
        w.WriteChatOptions(c.Options);
    };

    /// <summary>
    /// One descriptor per configuration, shared by every client that has it: the runtime's in-process
    /// level keeps entries per descriptor, so two clients over the same model (a pipeline built per
    /// request, a scoped registration) must hand it the same one to share answers.
    /// </summary>
    private static LlmCachedMethod MethodFor(string id, TimeSpan? ttl, string? @namespace, string[] tags)
    {
        string configuration = id + "|" + (ttl?.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-")
            + "|" + string.Join('\u001f', tags);
        return s_methods.GetOrAdd(configuration, static (_, a) => new LlmCachedMethod(a.id, a.ttl, a.@namespace, a.tags, s_keyedParameters),
            (id, ttl, @namespace, tags));
    }

    private static string Fingerprint(string? provider, string? endpoint, string? model, string? @namespace)
    {
        // Lengths delimit the parts, so ("ab", "c") and ("a", "bc") differ; null differs from empty.
        var text = new StringBuilder();
        foreach (string? part in (ReadOnlySpan<string?>)[provider, endpoint, model, @namespace])
        {
            text.Append(part is null ? "-1" : part.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(part).Append('|');
        }
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
    }

    /// <summary>One call's inputs, and whether the inner client was reached (a miss) or not (a hit).</summary>
    private sealed class Call(LlmCacheChatClient client, IList<ChatMessage> messages, ChatOptions? options)
    {
        public LlmCacheChatClient Client { get; } = client;

        public IList<ChatMessage> Messages { get; } = messages;

        public ChatOptions? Options { get; } = options;

        public volatile bool InnerCalled;
    }
}
