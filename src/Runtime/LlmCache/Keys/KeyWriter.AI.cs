using Microsoft.Extensions.AI;

namespace LlmCache;

public sealed partial class KeyWriter
{
    /// <summary>
    /// Writes a chat message: its role, author name, contents and additional properties. What is keyed
    /// and what is left out (message ids, creation times, raw provider objects), and why, is listed in
    /// <see cref="AIKeyCoverage"/>. A subclass of <see cref="ChatMessage"/> is written whole by the
    /// object walker (see <see cref="WriteObject"/>).
    /// </summary>
    public void WriteChatMessage(ChatMessage? message)
    {
        if (message is null)
        {
            WriteNull();
            return;
        }
        if (message.GetType() != typeof(ChatMessage))
        {
            WriteWalked(message);
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
        WriteAdditionalProperties(message.AdditionalProperties);
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
    /// Writes one content item completely (see <see cref="AIKeyCoverage"/>). Text, reasoning, data, URI,
    /// function call and function result contents of exactly those types have hand-written writers;
    /// any other kind, including hosted-tool contents, a user-defined subclass or a kind a later
    /// Microsoft.Extensions.AI adds, is written by the object walker: its runtime type, then every
    /// public property the catalogue does not exclude.
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
        Type type = content.GetType();
        if (type == typeof(TextContent))
        {
            WriteByte(1);
            WriteString(((TextContent)content).Text);
            WriteContentCommon(content);
        }
        else if (type == typeof(TextReasoningContent))
        {
            var reasoning = (TextReasoningContent)content;
            WriteByte(2);
            WriteString(reasoning.Text);
            WriteString(reasoning.ProtectedData);
            WriteContentCommon(content);
        }
        else if (type == typeof(DataContent))
        {
            var data = (DataContent)content;
            WriteByte(3);
            WriteString(data.MediaType);
            WriteString(data.Name);
            WriteBytes(data.Data.Span);
            WriteContentCommon(content);
        }
        else if (type == typeof(UriContent))
        {
            var uri = (UriContent)content;
            WriteByte(4);
            WriteString(uri.MediaType);
            WriteUri(uri.Uri);
            WriteContentCommon(content);
        }
        else if (type == typeof(FunctionCallContent))
        {
            var call = (FunctionCallContent)content;
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
            WriteBoolean(call.InformationalOnly);
            WriteObject(call.Exception);
            WriteContentCommon(content);
        }
        else if (type == typeof(FunctionResultContent))
        {
            var result = (FunctionResultContent)content;
            WriteByte(6);
            WriteString(result.CallId);
            WriteObject(result.Result);
            WriteObject(result.Exception);
            WriteContentCommon(content);
        }
        else
        {
            ObjectShape shape = ShapeOf(type);
            if (shape.Refusal is { } refusal)
            {
                throw new CacheKeyException(refusal);
            }
            WriteByte(0);
            WriteWalkedMembers(content, shape, shape.Members);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>
    /// A continuation token: a poll for a response running in the background, whose answer changes
    /// over time. The call must reach the model whatever the cache holds, so it passes through; the
    /// token is still written, so the key stays a function of the whole request.
    /// </summary>
    private void WriteContinuationToken(ResponseContinuationToken? token)
    {
        if (token is null)
        {
            WriteNull();
            return;
        }
        PassThrough = true;
        WriteChars(KeyTag.Type, TypeNames.Of(token.GetType()).AsSpan());
        WriteBytes(token.ToBytes().Span);
    }

    /// <summary>What every content carries besides its kind's fields: annotations and additional properties.</summary>
    private void WriteContentCommon(AIContent content)
    {
        if (content.Annotations is { Count: > 0 } annotations)
        {
            WriteObject(annotations);
        }
        else
        {
            WriteNull();
        }
        WriteAdditionalProperties(content.AdditionalProperties);
    }

    /// <summary>Additional properties sorted by name; absent and empty are the same request.</summary>
    private void WriteAdditionalProperties(IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            WriteNull();
            return;
        }
        WriteMap(properties, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
    }

    /// <summary>
    /// Writes every chat option that can change the answer (the list, with what is left out and why,
    /// is <see cref="AIKeyCoverage"/>): model, instructions, conversation, sampling (temperature,
    /// top-p, top-k, penalties, seed, max tokens), stop sequences, response format with its schema,
    /// reasoning options, tool mode, every tool completely, additional properties sorted by name,
    /// background responses, and the raw-options factory by the delegate rule of
    /// <see cref="WriteObject"/>. A continuation token polls a running response whose answer changes
    /// over time: the call passes through to the model uncached (neither an error nor a miss).
    /// (Microsoft.Extensions.AI's caching client leaves tools out of its key and so can serve an answer
    /// computed for other tools.)
    /// </summary>
    public void WriteChatOptions(ChatOptions? options)
    {
        if (options is null)
        {
            WriteNull();
            return;
        }
        if (options.GetType() != typeof(ChatOptions))
        {
            WriteWalked(options);
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
        WriteAdditionalProperties(options.AdditionalProperties);
        WriteNullable(options.AllowBackgroundResponses);
        WriteContinuationToken(options.ContinuationToken);
        if (options.RawRepresentationFactory is { } factory)
        {
            WriteDelegate(factory);
        }
        else
        {
            WriteNull();
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>
    /// Writes a tool completely, starting with its runtime type. A function declaration (every
    /// <see cref="AIFunction"/>) is written as what the model sees: name, description, parameter and
    /// return schemas, additional properties, then any public member a user-defined subclass adds. Any
    /// other tool (hosted file search with its vector stores, MCP servers with address, allowed tools,
    /// approval mode and headers, code interpreter, image generation with its options, web search, a
    /// user-defined tool) is written by the object walker: every public property the catalogue
    /// (<see cref="AIKeyCoverage"/>) does not exclude.
    /// </summary>
    public void WriteAITool(AITool? tool)
    {
        if (tool is null)
        {
            WriteNull();
            return;
        }
        Enter();
        WriteTag(KeyTag.Tool);
        ObjectShape shape = ShapeOf(tool.GetType());
        if (tool is AIFunctionDeclaration function)
        {
            WriteByte(1);
            WriteChars(KeyTag.Type, shape.TypeName.AsSpan());
            WriteString(function.Name);
            WriteString(function.Description);
            WriteJson(function.JsonSchema);
            if (function.ReturnJsonSchema is { } returns)
            {
                WriteJson(returns);
            }
            else
            {
                WriteNull();
            }
            WriteAdditionalProperties(function.AdditionalProperties);
            ObjectMember[] extras = shape.DeclarationExtras;
            if (extras.Length == 0)
            {
                WriteNull();
            }
            else
            {
                WriteWalkedMembers(tool, shape, extras);
            }
        }
        else
        {
            if (shape.Refusal is { } refusal)
            {
                throw new CacheKeyException(refusal);
            }
            WriteByte(0);
            WriteWalkedMembers(tool, shape, shape.Members);
        }
        WriteTag(KeyTag.EndObject);
        _depth--;
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
                WriteWalked(format);
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
                WriteWalked(mode);
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
