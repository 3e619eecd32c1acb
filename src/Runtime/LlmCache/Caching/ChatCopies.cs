using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>
/// Deep copies of Microsoft.Extensions.AI's mutable response types: a few small allocations instead
/// of a JSON round trip, so a hit on a chat response stays close to the cost of hashing the request.
/// A copy holds what a round trip through a tier would: no <c>RawRepresentation</c> (the provider's
/// own response object, which is never serialized), so the cache neither keeps a provider's objects
/// alive nor shares them between callers, and a hit looks the same from every level.
/// </summary>
internal static class ChatCopies
{
    public static ChatResponse Copy(ChatResponse source)
    {
        IList<ChatMessage> messages = source.Messages;
        var copied = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            copied.Add(Copy(messages[i]));
        }
        return new ChatResponse(copied)
        {
            ResponseId = source.ResponseId,
            ConversationId = source.ConversationId,
            ModelId = source.ModelId,
            CreatedAt = source.CreatedAt,
            FinishReason = source.FinishReason,
            Usage = Copy(source.Usage),
            AdditionalProperties = source.AdditionalProperties?.Clone(),
            ContinuationToken = source.ContinuationToken,
        };
    }

    public static ChatMessage Copy(ChatMessage source)
    {
        IList<AIContent> contents = source.Contents;
        var copied = new List<AIContent>(contents.Count);
        for (int i = 0; i < contents.Count; i++)
        {
            copied.Add(Copy(contents[i]));
        }
        return new ChatMessage(source.Role, copied)
        {
            AuthorName = source.AuthorName,
            MessageId = source.MessageId,
            CreatedAt = source.CreatedAt,
            AdditionalProperties = source.AdditionalProperties?.Clone(),
        };
    }

    private static UsageDetails? Copy(UsageDetails? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.CachedInputTokenCount,
        ReasoningTokenCount = usage.ReasoningTokenCount,
        AdditionalCounts = usage.AdditionalCounts is { } counts ? new AdditionalPropertiesDictionary<long>(counts) : null,
    };

    private static AIContent Copy(AIContent content)
    {
        AIContent copy = content switch
        {
            TextContent text => new TextContent(text.Text),
            TextReasoningContent reasoning => new TextReasoningContent(reasoning.Text) { ProtectedData = reasoning.ProtectedData },
            FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name,
                call.Arguments is null ? null : new Dictionary<string, object?>(call.Arguments)),
            FunctionResultContent result => new FunctionResultContent(result.CallId, result.Result),
            DataContent data => new DataContent(data.Data, data.MediaType) { Name = data.Name },
            UriContent uri => new UriContent(uri.Uri, uri.MediaType),
            UsageContent usage => new UsageContent(Copy(usage.Details)!),
            ErrorContent error => new ErrorContent(error.Message) { ErrorCode = error.ErrorCode, Details = error.Details },
            _ => RoundTrip(content),
        };
        if (!ReferenceEquals(copy, content))
        {
            copy.AdditionalProperties = content.AdditionalProperties?.Clone();
            if (content.Annotations is { } annotations)
            {
                copy.Annotations = new List<AIAnnotation>(annotations);
            }
        }
        return copy;
    }

    private static AIContent RoundTrip(AIContent content) =>
        JsonSerializer.Deserialize<AIContent>(JsonSerializer.SerializeToUtf8Bytes(content, AIJsonUtilities.DefaultOptions), AIJsonUtilities.DefaultOptions)!;
}
