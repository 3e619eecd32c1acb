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
        _paths?.Item(_depth, BytesWritten);
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
        _paths?.Open(list: false, _depth);
        WriteTag(KeyTag.ChatMessage);
        Field("role");
        WriteString(message.Role.Value);
        Field("author_name");
        WriteString(message.AuthorName);
        IList<AIContent> contents = message.Contents;
        Field("contents");
        BeginSequence(contents.Count);
        for (int i = 0; i < contents.Count; i++)
        {
            WriteAIContent(contents[i]);
        }
        EndSequence();
        Field("additional_properties");
        WriteAdditionalProperties(message.AdditionalProperties);
        _paths?.Close(_depth, BytesWritten);
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
        _paths?.Item(_depth, BytesWritten);
        if (content is null)
        {
            WriteNull();
            return;
        }
        Enter();
        _paths?.Open(list: false, _depth);
        WriteTag(KeyTag.Content);
        Type type = content.GetType();
        if (type == typeof(TextContent))
        {
            WriteByte(1);
            Field("text");
            WriteString(((TextContent)content).Text);
            WriteContentCommon(content);
        }
        else if (type == typeof(TextReasoningContent))
        {
            var reasoning = (TextReasoningContent)content;
            WriteByte(2);
            Field("text");
            WriteString(reasoning.Text);
            Field("protected_data");
            WriteString(reasoning.ProtectedData);
            WriteContentCommon(content);
        }
        else if (type == typeof(DataContent))
        {
            var data = (DataContent)content;
            WriteByte(3);
            Field("media_type");
            WriteString(data.MediaType);
            Field("name");
            WriteString(data.Name);
            Field("data");
            WriteBytes(data.Data.Span);
            WriteContentCommon(content);
        }
        else if (type == typeof(UriContent))
        {
            var uri = (UriContent)content;
            WriteByte(4);
            Field("media_type");
            WriteString(uri.MediaType);
            Field("uri");
            WriteUri(uri.Uri);
            WriteContentCommon(content);
        }
        else if (type == typeof(FunctionCallContent))
        {
            var call = (FunctionCallContent)content;
            WriteByte(5);
            Field("call_id");
            WriteString(call.CallId);
            Field("name");
            WriteString(call.Name);
            Field("arguments");
            if (call.Arguments is null)
            {
                WriteNull();
            }
            else
            {
                WriteMap(call.Arguments, static (w, k) => w.WriteString(k), static (w, v) => w.WriteObject(v));
            }
            Field("informational_only");
            WriteBoolean(call.InformationalOnly);
            Field("exception");
            WriteObject(call.Exception);
            WriteContentCommon(content);
        }
        else if (type == typeof(FunctionResultContent))
        {
            var result = (FunctionResultContent)content;
            WriteByte(6);
            Field("call_id");
            WriteString(result.CallId);
            Field("result");
            WriteObject(result.Result);
            Field("exception");
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
        _paths?.Close(_depth, BytesWritten);
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
        Field("annotations");
        if (content.Annotations is { Count: > 0 } annotations)
        {
            WriteObject(annotations);
        }
        else
        {
            WriteNull();
        }
        Field("additional_properties");
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
        _paths?.Open(list: false, _depth);
        WriteTag(KeyTag.ChatOptions);
        Field("model_id");
        WriteString(options.ModelId);
        Field("instructions");
        WriteString(options.Instructions);
        Field("conversation_id");
        WriteString(options.ConversationId);
        Field("temperature");
        WriteNullable(options.Temperature);
        Field("top_p");
        WriteNullable(options.TopP);
        Field("top_k");
        WriteNullable(options.TopK);
        Field("max_output_tokens");
        WriteNullable(options.MaxOutputTokens);
        Field("frequency_penalty");
        WriteNullable(options.FrequencyPenalty);
        Field("presence_penalty");
        WriteNullable(options.PresencePenalty);
        Field("seed");
        WriteNullable(options.Seed);
        Field("allow_multiple_tool_calls");
        WriteNullable(options.AllowMultipleToolCalls);
        Field("stop_sequences");
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
        Field("response_format");
        WriteResponseFormat(options.ResponseFormat);
        Field("reasoning");
        WriteReasoning(options.Reasoning);
        Field("tool_mode");
        WriteToolMode(options.ToolMode);
        Field("tools");
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
        Field("additional_properties");
        WriteAdditionalProperties(options.AdditionalProperties);
        Field("allow_background_responses");
        WriteNullable(options.AllowBackgroundResponses);
        Field("continuation_token");
        WriteContinuationToken(options.ContinuationToken);
        Field("raw_representation_factory");
        if (options.RawRepresentationFactory is { } factory)
        {
            WriteDelegate(factory);
        }
        else
        {
            WriteNull();
        }
        _paths?.Close(_depth, BytesWritten);
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
        _paths?.Item(_depth, BytesWritten);
        if (tool is null)
        {
            WriteNull();
            return;
        }
        Enter();
        _paths?.Open(list: false, _depth);
        WriteTag(KeyTag.Tool);
        ObjectShape shape = ShapeOf(tool.GetType());
        if (tool is AIFunctionDeclaration function)
        {
            WriteByte(1);
            WriteChars(KeyTag.Type, shape.TypeName.AsSpan());
            Field("name");
            WriteString(function.Name);
            Field("description");
            WriteString(function.Description);
            Field("parameters");
            WriteJson(function.JsonSchema);
            Field("return_schema");
            if (function.ReturnJsonSchema is { } returns)
            {
                WriteJson(returns);
            }
            else
            {
                WriteNull();
            }
            Field("additional_properties");
            WriteAdditionalProperties(function.AdditionalProperties);
            _paths?.EndField(_depth, BytesWritten);
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
        _paths?.Close(_depth, BytesWritten);
        WriteTag(KeyTag.EndObject);
        _depth--;
    }

    /// <summary>Tells a recorder that field <paramref name="name"/> of the object being written starts here.</summary>
    private void Field(string name) => _paths?.Field(name, _depth, BytesWritten);

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
