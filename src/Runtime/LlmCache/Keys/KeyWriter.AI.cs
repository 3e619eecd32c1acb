using Microsoft.Extensions.AI;

namespace LlmCache;

public sealed partial class KeyWriter
{
    /// <summary>
    /// Writes a chat message: its role, author name and contents. Message ids, creation times and raw
    /// provider objects do not change the answer and stay out of the key.
    /// </summary>
    public void WriteChatMessage(ChatMessage? message)
    {
        if (message is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTag(KeyTag.ChatMessage);
        WriteString(message.Role.Value);
        WriteString(message.AuthorName);
        IList<AIContent> contents = message.Contents;
        BeginSequence(contents.Count);
        for (int i = 0; i < contents.Count; i++)
        {
            WriteAIContent(contents[i]);
        }
        EndSequence();
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Writes a list of chat messages in order.</summary>
    public void WriteChatMessages(IEnumerable<ChatMessage>? messages)
    {
        switch (messages)
        {
            case null:
                WriteNull();
                return;
            case IList<ChatMessage> list:
                BeginSequence(list.Count);
                for (int i = 0; i < list.Count; i++)
                {
                    WriteChatMessage(list[i]);
                }
                EndSequence();
                return;
            default:
                BeginSequence();
                foreach (ChatMessage message in messages)
                {
                    WriteChatMessage(message);
                }
                EndSequence();
                return;
        }
    }

    /// <summary>
    /// Writes one content item by its kind and the fields that reach the model: text, data and media
    /// type, URIs, function calls with their arguments, function results. Usage reports carry nothing
    /// the model reads and are written as their kind only.
    /// </summary>
    public void WriteAIContent(AIContent? content)
    {
        if (content is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTag(KeyTag.Content);
        switch (content)
        {
            case TextContent text:
                WriteByte(1);
                WriteString(text.Text);
                break;
            case TextReasoningContent reasoning:
                WriteByte(2);
                WriteString(reasoning.Text);
                WriteString(reasoning.ProtectedData);
                break;
            case DataContent data:
                WriteByte(3);
                WriteString(data.MediaType);
                WriteString(data.Name);
                WriteBytes(data.Data.Span);
                break;
            case UriContent uri:
                WriteByte(4);
                WriteString(uri.MediaType);
                WriteUri(uri.Uri);
                break;
            case FunctionCallContent call:
                WriteByte(5);
                WriteString(call.CallId);
                WriteString(call.Name);
                if (call.Arguments is null)
                {
                    WriteNull();
                }
                else
                {
                    WriteMap(call.Arguments, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
                }
                break;
            case FunctionResultContent result:
                WriteByte(6);
                WriteString(result.CallId);
                WriteObject(result.Result);
                break;
            case ErrorContent error:
                WriteByte(7);
                WriteString(error.Message);
                WriteString(error.ErrorCode);
                WriteString(error.Details);
                break;
            case HostedFileContent file:
                WriteByte(8);
                WriteString(file.FileId);
                break;
            case UsageContent:
                WriteByte(9);
                break;
            default:
                // A kind this version does not know: its type and its JSON form.
                WriteByte(0);
                WriteSerialized(content);
                break;
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>
    /// Writes every chat option that can change the answer: model, instructions, conversation,
    /// sampling (temperature, top-p, top-k, penalties, seed, max tokens), stop sequences, response
    /// format with its schema, reasoning options, tool mode, and each tool by name, description and
    /// JSON schema, plus additional properties sorted by name. (Microsoft.Extensions.AI's caching
    /// client leaves tools out of its key and so can serve an answer computed for other tools.)
    /// </summary>
    public void WriteChatOptions(ChatOptions? options)
    {
        if (options is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTag(KeyTag.ChatOptions);
        WriteString(options.ModelId);
        WriteString(options.Instructions);
        WriteString(options.ConversationId);
        WriteNullable(options.Temperature);
        WriteNullable(options.TopP);
        WriteNullable(options.TopK);
        WriteNullable(options.MaxOutputTokens);
        WriteNullable(options.FrequencyPenalty);
        WriteNullable(options.PresencePenalty);
        WriteNullable(options.Seed);
        WriteNullable(options.AllowMultipleToolCalls);
        if (options.StopSequences is { } stops)
        {
            BeginSequence(stops.Count);
            for (int i = 0; i < stops.Count; i++)
            {
                WriteString(stops[i]);
            }
            EndSequence();
        }
        else
        {
            WriteNull();
        }
        WriteResponseFormat(options.ResponseFormat);
        WriteReasoning(options.Reasoning);
        WriteToolMode(options.ToolMode);
        if (options.Tools is { } tools)
        {
            BeginSequence(tools.Count);
            for (int i = 0; i < tools.Count; i++)
            {
                WriteAITool(tools[i]);
            }
            EndSequence();
        }
        else
        {
            WriteNull();
        }
        if (options.AdditionalProperties is { } extra)
        {
            WriteMap(extra, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
        }
        else
        {
            WriteNull();
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Writes a tool by its name, description, JSON schema and additional properties.</summary>
    public void WriteAITool(AITool? tool)
    {
        if (tool is null)
        {
            WriteNull();
            return;
        }
        WriteTag(KeyTag.Tool);
        WriteChars(KeyTag.Type, (tool.GetType().FullName ?? tool.GetType().Name).AsSpan());
        WriteString(tool.Name);
        WriteString(tool.Description);
        if (tool is AIFunctionDeclaration function)
        {
            WriteJson(function.JsonSchema);
            if (function.ReturnJsonSchema is { } returns)
            {
                WriteJson(returns);
            }
            else
            {
                WriteNull();
            }
        }
        else
        {
            WriteNull();
            WriteNull();
        }
        IReadOnlyDictionary<string, object?> extra = tool.AdditionalProperties;
        WriteMap(extra, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
    }

    private void WriteResponseFormat(ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                WriteNull();
                return;
            case ChatResponseFormatText:
                WriteTag(KeyTag.ResponseFormat);
                WriteByte(1);
                return;
            case ChatResponseFormatJson json:
                WriteTag(KeyTag.ResponseFormat);
                WriteByte(2);
                WriteString(json.SchemaName);
                WriteString(json.SchemaDescription);
                if (json.Schema is { } schema)
                {
                    WriteJson(schema);
                }
                else
                {
                    WriteNull();
                }
                return;
            default:
                WriteTag(KeyTag.ResponseFormat);
                WriteByte(0);
                WriteSerialized(format);
                return;
        }
    }

    private void WriteToolMode(ChatToolMode? mode)
    {
        switch (mode)
        {
            case null:
                WriteNull();
                return;
            case NoneChatToolMode:
                WriteTag(KeyTag.ToolMode);
                WriteByte(1);
                return;
            case AutoChatToolMode:
                WriteTag(KeyTag.ToolMode);
                WriteByte(2);
                return;
            case RequiredChatToolMode required:
                WriteTag(KeyTag.ToolMode);
                WriteByte(3);
                WriteString(required.RequiredFunctionName);
                return;
            default:
                WriteTag(KeyTag.ToolMode);
                WriteByte(0);
                WriteSerialized(mode);
                return;
        }
    }

    private void WriteReasoning(ReasoningOptions? reasoning)
    {
        if (reasoning is null)
        {
            WriteNull();
            return;
        }
        WriteTag(KeyTag.Reasoning);
        WriteNullableEnum(reasoning.Effort);
        WriteNullableEnum(reasoning.Output);
    }

    private void WriteNullableEnum<TEnum>(TEnum? value) where TEnum : struct, Enum
    {
        if (value is { } v)
        {
            WriteEnum(v);
        }
        else
        {
            WriteNull();
        }
    }

    private void WriteNullable<T>(T? value) where T : struct
    {
        if (value is { } v)
        {
            WriteValue(v);
        }
        else
        {
            WriteNull();
        }
    }
}
