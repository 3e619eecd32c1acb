using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>Reads the text a semantic method compares, for generated code.</summary>
/// <param name="state">The call's arguments.</param>
/// <returns>The text compared by meaning; null or empty when there is none (the call is then cached exactly).</returns>
public delegate string? SemanticTextOf<TState>(in TState state);

/// <summary>What generated code of <see cref="LlmCachedAttribute.Semantic"/> methods calls to split messages into the compared text and the exact rest.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SemanticText
{
    /// <summary>The index of the last user message, or -1.</summary>
    private static int LastUser(IReadOnlyList<ChatMessage> messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is { } message && message.Role == ChatRole.User && message.GetType() == typeof(ChatMessage))
            {
                return i;
            }
        }
        return -1;
    }

    private static IReadOnlyList<ChatMessage> AsList(IEnumerable<ChatMessage> messages) =>
        messages as IReadOnlyList<ChatMessage> ?? messages.ToList();

    /// <summary>The text of the last user message (its text contents joined by new lines), or null.</summary>
    /// <param name="messages">The conversation.</param>
    /// <returns>The compared text.</returns>
    public static string? LastUserText(IEnumerable<ChatMessage>? messages)
    {
        if (messages is null)
        {
            return null;
        }
        IReadOnlyList<ChatMessage> list = AsList(messages);
        int last = LastUser(list);
        if (last < 0)
        {
            return null;
        }
        string? text = null;
        foreach (AIContent content in list[last].Contents)
        {
            if (content.GetType() == typeof(TextContent))
            {
                text = text is null ? ((TextContent)content).Text : text + "\n" + ((TextContent)content).Text;
            }
        }
        return text;
    }

    /// <summary>
    /// Writes the conversation exactly, except the text of the last user message: its role, author,
    /// other contents (images, files) and properties are written, so only calls that differ in that text
    /// alone share a partition.
    /// </summary>
    /// <param name="writer">The key writer.</param>
    /// <param name="messages">The conversation.</param>
    public static void WritePartition(KeyWriter writer, IEnumerable<ChatMessage>? messages)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (messages is null)
        {
            writer.WriteNull();
            return;
        }
        IReadOnlyList<ChatMessage> list = AsList(messages);
        int last = LastUser(list);
        writer.BeginSequence(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            if (i != last)
            {
                writer.WriteChatMessage(list[i]);
                continue;
            }
            ChatMessage message = list[i];
            var rest = new ChatMessage(message.Role, message.Contents.Where(c => c.GetType() != typeof(TextContent)).ToList())
            {
                AuthorName = message.AuthorName,
                AdditionalProperties = message.AdditionalProperties,
            };
            writer.WriteString("\u0001semantic-text");
            writer.WriteChatMessage(rest);
        }
        writer.EndSequence();
    }

    /// <summary>Marks a partition key, so that it never equals an exact key of the same method.</summary>
    /// <param name="writer">The key writer.</param>
    public static void BeginPartition(KeyWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("\u0001semantic-partition");
    }
}
