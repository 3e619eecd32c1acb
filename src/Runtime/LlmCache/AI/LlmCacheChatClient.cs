using System.Runtime.CompilerServices;
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
    public const string HitProperty = LlmCacheProperties.Hit;

    private static readonly string[] s_keyedParameters = ["client", "messages", "options"];

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
        string[] tags = [.. options.Tags ?? []];
        _response = MiddlewareMethods.For("LlmCache.ChatClient.GetResponseAsync", [_provider, _endpoint, _model], options.Ttl, options.Namespace,
            tags, s_keyedParameters, options.FailSafe);
        _stream = MiddlewareMethods.For("LlmCache.ChatClient.GetStreamingResponseAsync", [_provider, _endpoint, _model], options.Ttl,
            options.Namespace, tags, s_keyedParameters);
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
            if (_runtime.RefuseUncached(_response, ConversationReason) is { } refused)
            {
                throw refused;
            }
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        var call = new Call(this, Materialize(messages), options);
        ChatResponse response = await _runtime.GetOrCreateValueTaskAsync(_response, call, s_writeKey, null,
            static async (c, ct) =>
            {
                ChatResponse answer = await c.Client.InnerClient.GetResponseAsync(c.Messages, c.Options, ct).ConfigureAwait(false);
                // Set once the model answered: an answer the cache gave in place of a failed call (fail-safe) is a hit too.
                c.InnerCalled = true;
                return answer;
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
            return _runtime.RefuseUncached(_stream, ConversationReason) is { } refused
                ? LlmCacheRuntime.Refused<ChatResponseUpdate>(refused)
                : base.GetStreamingResponseAsync(messages, options, cancellationToken);
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

    private const string ConversationReason =
        "the request continues a conversation the provider keeps (ChatOptions.ConversationId) and LlmCacheChatClientOptions.CacheConversations is off";

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

    /// <summary>One call's inputs, and whether the inner client was reached (a miss) or not (a hit).</summary>
    private sealed class Call(LlmCacheChatClient client, IList<ChatMessage> messages, ChatOptions? options)
    {
        public LlmCacheChatClient Client { get; } = client;

        public IList<ChatMessage> Messages { get; } = messages;

        public ChatOptions? Options { get; } = options;

        public volatile bool InnerCalled;
    }
}
