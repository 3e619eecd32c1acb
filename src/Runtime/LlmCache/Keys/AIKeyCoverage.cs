using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>How one public property of a Microsoft.Extensions.AI type takes part in a key.</summary>
internal enum AIMemberRule
{
    /// <summary>Not listed for the type or any ancestor.</summary>
    Unlisted,

    /// <summary>Written into the key.</summary>
    Keyed,

    /// <summary>Left out of the key, for the reason the catalogue gives.</summary>
    Excluded,

    /// <summary>Written into the key, and a non-null value sends the call to the model uncached (<see cref="KeyWriter.PassThrough"/>).</summary>
    PassThrough,
}

/// <summary>The catalogue entry of one Microsoft.Extensions.AI type: its own (declared or overridden) properties.</summary>
internal sealed class AIKeyCoverageEntry(Type type, string[] keyed, (string Name, string Reason)[] excluded, (string Name, string Reason)[] passThrough)
{
    public Type Type { get; } = type;

    /// <summary>Properties written into the key.</summary>
    public IReadOnlyList<string> Keyed { get; } = keyed;

    /// <summary>Properties left out of the key, each with the reason.</summary>
    public IReadOnlyDictionary<string, string> Excluded { get; } = excluded.ToDictionary(e => e.Name, e => e.Reason, StringComparer.Ordinal);

    /// <summary>Properties whose non-null value sends the call to the model uncached, each with the reason.</summary>
    public IReadOnlyDictionary<string, string> PassThrough { get; } = passThrough.ToDictionary(e => e.Name, e => e.Reason, StringComparer.Ordinal);

    public AIMemberRule RuleFor(string name) =>
        Keyed.Contains(name) ? AIMemberRule.Keyed
        : Excluded.ContainsKey(name) ? AIMemberRule.Excluded
        : PassThrough.ContainsKey(name) ? AIMemberRule.PassThrough
        : AIMemberRule.Unlisted;
}

/// <summary>
/// The one list of what every Microsoft.Extensions.AI request type contributes to a key: per type, the
/// properties that are keyed, the ones excluded (with the reason) and the ones that send a call to
/// the model uncached. A property declared on a base type is listed once, on that base. The writers in
/// <c>KeyWriter.AI.cs</c> follow it (the hand-written fast paths write exactly the keyed properties;
/// every other type is written by the object walker, which reads its exclusions from here), and a
/// reflection test fails when a public property of any of these types, or of a type a new package
/// version adds, is in none of the lists.
/// </summary>
/// <remarks>
/// Rules of thumb: whatever a provider may send to the model, or that changes what the client pipeline
/// does with the answer, is keyed, including credentials (the key is a SHA-256, nothing is stored raw).
/// Values derived from other keyed values, identifiers and timestamps the model never reads, and
/// provider objects with no canonical form are excluded. A delegate is keyed only when its code is
/// identifiable (see <see cref="KeyWriter.WriteObject"/>); otherwise the request runs uncached.
/// </remarks>
internal static class AIKeyCoverage
{
    private const string ProviderObject = "the provider's own object, with no canonical form; what it carries reaches the key through the typed properties";
    /// <summary>How a delegate-valued property is keyed.</summary>
    public const string DelegateRule = "keyed by the delegate rule: a static method or non-capturing lambda by its code's identity, a target implementing ICacheKeyWritable by its own key; any other delegate makes the request uncacheable";

    private static readonly Dictionary<Type, AIKeyCoverageEntry> s_entries = Build();

    /// <summary>Every catalogued type and its entry.</summary>
    public static IReadOnlyDictionary<Type, AIKeyCoverageEntry> Entries => s_entries;

    /// <summary>The rule for property <paramref name="name"/> of <paramref name="type"/>: the nearest catalogued type (itself or an ancestor) that lists it decides.</summary>
    public static AIMemberRule RuleFor(Type type, string name, out string? reason)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            if (s_entries.TryGetValue(t, out AIKeyCoverageEntry? entry))
            {
                AIMemberRule rule = entry.RuleFor(name);
                if (rule != AIMemberRule.Unlisted)
                {
                    reason = rule switch
                    {
                        AIMemberRule.Excluded => entry.Excluded[name],
                        AIMemberRule.PassThrough => entry.PassThrough[name],
                        _ => null,
                    };
                    return rule;
                }
            }
        }
        reason = null;
        return AIMemberRule.Unlisted;
    }

    /// <summary>Whether <paramref name="type"/> is, or derives from, a catalogued type.</summary>
    public static bool Covers(Type type)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            if (s_entries.ContainsKey(t))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="type"/> ships in a Microsoft.Extensions.AI assembly.</summary>
    public static bool IsLibraryType(Type type) =>
        type.Assembly.GetName().Name is { } name && name.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal);

    // Experimental types (MEAI001) are keyed like the others.
#pragma warning disable MEAI001
    private static Dictionary<Type, AIKeyCoverageEntry> Build()
    {
        var entries = new Dictionary<Type, AIKeyCoverageEntry>();
        void Add(Type type, string[] keyed, (string, string)[]? excluded = null, (string, string)[]? passThrough = null) =>
            entries.Add(type, new AIKeyCoverageEntry(type, keyed, excluded ?? [], passThrough ?? []));

        // ---- messages and options --------------------------------------------------------------
        Add(typeof(ChatMessage), ["Role", "AuthorName", "Contents", "AdditionalProperties"],
        [
            ("Text", "derived from Contents, which are keyed"),
            ("MessageId", "an identifier the provider or a store assigns; it names the message, the model does not read it"),
            ("CreatedAt", "when the message was made; the model does not read it, and keying it would make every rebuilt history a miss"),
            ("RawRepresentation", ProviderObject),
        ]);
        Add(typeof(ChatOptions),
        [
            "ModelId", "Instructions", "ConversationId", "Temperature", "TopP", "TopK", "MaxOutputTokens",
            "FrequencyPenalty", "PresencePenalty", "Seed", "AllowMultipleToolCalls", "StopSequences",
            "ResponseFormat", "Reasoning", "ToolMode", "Tools", "AdditionalProperties",
            "AllowBackgroundResponses", "RawRepresentationFactory",
        ],
        passThrough:
        [
            ("ContinuationToken", "polls a response running in the background: the same token answers differently over time, so the call always reaches the model"),
        ]);
        Add(typeof(EmbeddingGenerationOptions), ["ModelId", "Dimensions", "AdditionalProperties", "RawRepresentationFactory"]);
        Add(typeof(ReasoningOptions), ["Effort", "Output"]);
        Add(typeof(ChatResponseFormat), []);
        Add(typeof(ChatResponseFormatText), []);
        Add(typeof(ChatResponseFormatJson), ["Schema", "SchemaName", "SchemaDescription"]);
        Add(typeof(ChatToolMode), []);
        Add(typeof(AutoChatToolMode), []);
        Add(typeof(NoneChatToolMode), []);
        Add(typeof(RequiredChatToolMode), ["RequiredFunctionName"]);

        // ---- contents --------------------------------------------------------------------------
        Add(typeof(AIContent), ["Annotations", "AdditionalProperties"], [("RawRepresentation", ProviderObject)]);
        Add(typeof(TextContent), ["Text"]);
        Add(typeof(TextReasoningContent), ["Text", "ProtectedData"]);
        Add(typeof(DataContent), ["Data", "MediaType", "Name"],
        [
            ("Uri", "the data URI form of Data and MediaType, both keyed"),
            ("Base64Data", "Data in base 64; Data is keyed"),
        ]);
        Add(typeof(UriContent), ["Uri", "MediaType"]);
        Add(typeof(ErrorContent), ["Message", "ErrorCode", "Details"]);
        Add(typeof(HostedFileContent), ["FileId", "MediaType", "Name", "SizeInBytes", "CreatedAt", "Purpose", "Scope"]);
        Add(typeof(HostedVectorStoreContent), ["VectorStoreId"]);
        Add(typeof(UsageContent), ["Details"]);
        Add(typeof(UsageDetails),
        [
            "InputTokenCount", "OutputTokenCount", "TotalTokenCount", "CachedInputTokenCount", "ReasoningTokenCount",
            "InputAudioTokenCount", "InputTextTokenCount", "OutputAudioTokenCount", "OutputTextTokenCount", "AdditionalCounts",
        ]);
        Add(typeof(ToolCallContent), ["CallId"]);
        Add(typeof(ToolResultContent), ["CallId"]);
        Add(typeof(FunctionCallContent), ["Name", "Arguments", "InformationalOnly", "Exception"]);
        Add(typeof(FunctionResultContent), ["Result", "Exception"]);
        Add(typeof(CodeInterpreterToolCallContent), ["Inputs"]);
        Add(typeof(CodeInterpreterToolResultContent), ["Outputs"]);
        Add(typeof(ImageGenerationToolCallContent), []);
        Add(typeof(ImageGenerationToolResultContent), ["Outputs"]);
        Add(typeof(McpServerToolCallContent), ["Name", "ServerName", "Arguments"]);
        Add(typeof(McpServerToolResultContent), ["Outputs"]);
        Add(typeof(WebSearchToolCallContent), ["Queries"]);
        Add(typeof(WebSearchToolResultContent), ["Outputs"]);
        Add(typeof(InputRequestContent), ["RequestId"]);
        Add(typeof(InputResponseContent), ["RequestId"]);
        Add(typeof(ToolApprovalRequestContent), ["ToolCall", "RequiresConfirmation"]);
        Add(typeof(ToolApprovalResponseContent), ["Approved", "ToolCall", "Reason"]);
        Add(typeof(AIAnnotation), ["AnnotatedRegions", "AdditionalProperties"], [("RawRepresentation", ProviderObject)]);
        Add(typeof(CitationAnnotation), ["Title", "Url", "FileId", "ToolName", "Snippet"]);
        Add(typeof(AnnotatedRegion), []);
        Add(typeof(TextSpanAnnotatedRegion), ["StartIndex", "EndIndex"]);

        // ---- tools -----------------------------------------------------------------------------
        Add(typeof(AITool), ["Name", "Description", "AdditionalProperties"]);
        Add(typeof(AIFunctionDeclaration), ["JsonSchema", "ReturnJsonSchema"]);
        Add(typeof(AIFunction), [],
        [
            ("UnderlyingMethod", "the local implementation; the model sees the declaration (name, description, schemas), which is keyed"),
            ("JsonSerializerOptions", "how arguments and results are marshalled locally; the schema they produced is keyed"),
        ]);
        Add(typeof(DelegatingAIFunction), []);
        Add(typeof(ApprovalRequiredAIFunction), []);
        Add(typeof(HostedCodeInterpreterTool), ["Inputs"]);
        Add(typeof(HostedFileSearchTool), ["Inputs", "MaximumResultCount"]);
        Add(typeof(HostedWebSearchTool), []);
        Add(typeof(HostedImageGenerationTool), ["Options"]);
        Add(typeof(ImageGenerationOptions),
            ["Count", "ImageSize", "MediaType", "ModelId", "ResponseFormat", "StreamingCount", "AdditionalProperties", "RawRepresentationFactory"]);
        Add(typeof(HostedMcpServerTool), ["ServerName", "ServerAddress", "ServerDescription", "AllowedTools", "ApprovalMode", "Headers"]);
        Add(typeof(HostedMcpServerToolApprovalMode), []);
        Add(typeof(HostedMcpServerToolAlwaysRequireApprovalMode), []);
        Add(typeof(HostedMcpServerToolNeverRequireApprovalMode), []);
        Add(typeof(HostedMcpServerToolRequireSpecificApprovalMode), ["AlwaysRequireApprovalToolNames", "NeverRequireApprovalToolNames"]);
        Add(typeof(HostedToolSearchTool), ["DeferredTools", "Namespace", "NamespaceDescription"]);
        return entries;
    }
#pragma warning restore MEAI001
}
