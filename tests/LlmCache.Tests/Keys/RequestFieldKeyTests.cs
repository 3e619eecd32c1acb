using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Keys;

#pragma warning disable MEAI001

/// <summary>The request fields the correctness issue found missing from keys: each now changes the key.</summary>
public sealed class RequestFieldKeyTests
{
    private static string Chat(ChatOptions? options, params ChatMessage[] messages) =>
        Keys.Of(w => { w.WriteChatMessages(messages); w.WriteChatOptions(options); });

    private static string WithTool(AITool tool) => Chat(new ChatOptions { Tools = [tool] }, new ChatMessage(ChatRole.User, "q"));

    [Fact]
    public void FileSearch_IsKeyedByItsVectorStores()
    {
        static HostedFileSearchTool Search(string store, int? max = null) =>
            new() { Inputs = [new HostedVectorStoreContent(store)], MaximumResultCount = max };
        Assert.NotEqual(WithTool(Search("vs_1")), WithTool(Search("vs_2")));
        Assert.NotEqual(WithTool(Search("vs_1")), WithTool(Search("vs_1", 5)));
        Assert.Equal(WithTool(Search("vs_1")), WithTool(Search("vs_1")));
    }

    [Fact]
    public void McpServers_AreKeyedByAddressToolsApprovalAndCredentials()
    {
        static HostedMcpServerTool Server(string address = "https://mcp.example/a", string[]? allowed = null,
            HostedMcpServerToolApprovalMode? approval = null, string? token = null)
        {
            var tool = new HostedMcpServerTool("docs", address) { AllowedTools = allowed, ApprovalMode = approval };
            if (token is not null)
            {
                tool.Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token };
            }
            return tool;
        }
        string baseline = WithTool(Server());
        Assert.Equal(baseline, WithTool(Server()));
        Assert.NotEqual(baseline, WithTool(Server(address: "https://mcp.example/b")));
        Assert.NotEqual(baseline, WithTool(Server(allowed: ["search"])));
        Assert.NotEqual(WithTool(Server(allowed: ["search"])), WithTool(Server(allowed: ["delete"])));
        Assert.NotEqual(baseline, WithTool(Server(approval: HostedMcpServerToolApprovalMode.NeverRequire)));
        Assert.NotEqual(WithTool(Server(approval: HostedMcpServerToolApprovalMode.RequireSpecific(["a"], null))),
            WithTool(Server(approval: HostedMcpServerToolApprovalMode.RequireSpecific(["b"], null))));
        // Different credentials may see different data: a token changes the key (it is hashed, never stored).
        Assert.NotEqual(WithTool(Server(token: "alice")), WithTool(Server(token: "bob")));
    }

    [Fact]
    public void OtherHostedTools_AreKeyedByTheirInputsAndOptions()
    {
        Assert.NotEqual(WithTool(new HostedCodeInterpreterTool { Inputs = [new HostedFileContent("f1")] }),
            WithTool(new HostedCodeInterpreterTool { Inputs = [new HostedFileContent("f2")] }));
        Assert.NotEqual(WithTool(new HostedImageGenerationTool { Options = new() { ImageSize = new(256, 256) } }),
            WithTool(new HostedImageGenerationTool { Options = new() { ImageSize = new(512, 512) } }));
        Assert.NotEqual(WithTool(new HostedWebSearchTool()), WithTool(new HostedWebSearchTool(new Dictionary<string, object?> { ["region"] = "eu" })));
        Assert.NotEqual(WithTool(new HostedWebSearchTool()), WithTool(new HostedCodeInterpreterTool()));
        Assert.NotEqual(WithTool(new HostedToolSearchTool { DeferredTools = ["a"] }), WithTool(new HostedToolSearchTool { DeferredTools = ["b"] }));
    }

    [Fact]
    public void BackgroundResponses_ChangeTheKey_AndAContinuationTokenAlwaysReachesTheModel()
    {
        var message = new ChatMessage(ChatRole.User, "q");
        Assert.NotEqual(Chat(new ChatOptions(), message), Chat(new ChatOptions { AllowBackgroundResponses = true }, message));

        KeyWriter writer = KeyWriter.Rent("");
        try
        {
            writer.WriteChatOptions(new ChatOptions());
            Assert.False(writer.PassThrough);
            writer.WriteChatOptions(new ChatOptions { ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 1 }) });
            Assert.True(writer.PassThrough);
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Fact]
    public void RawRepresentationFactory_IsKeyedByItsCode_OrTheRequestIsNotCached()
    {
        var message = new ChatMessage(ChatRole.User, "q");
        string none = Chat(new ChatOptions(), message);
        string low = Chat(new ChatOptions { RawRepresentationFactory = static _ => "low" }, message);
        string high = Chat(new ChatOptions { RawRepresentationFactory = static _ => "high" }, message);
        Assert.NotEqual(none, low);
        Assert.NotEqual(low, high);
        string effort = "low";
        Assert.Throws<CacheKeyException>(() => Chat(new ChatOptions { RawRepresentationFactory = _ => effort }, message));
    }

    [Fact]
    public void MessageAndContentAdditionalProperties_ChangeTheKey()
    {
        static ChatMessage Message(object? messageExtra, object? contentExtra)
        {
            var text = new TextContent("q");
            if (contentExtra is not null)
            {
                text.AdditionalProperties = new() { ["cache_control"] = contentExtra };
            }
            var message = new ChatMessage(ChatRole.User, [text]);
            if (messageExtra is not null)
            {
                message.AdditionalProperties = new() { ["name"] = messageExtra };
            }
            return message;
        }
        string plain = Chat(null, Message(null, null));
        Assert.NotEqual(plain, Chat(null, Message("a", null)));
        Assert.NotEqual(Chat(null, Message("a", null)), Chat(null, Message("b", null)));
        Assert.NotEqual(plain, Chat(null, Message(null, "ephemeral")));
        // Empty and absent additional properties are the same request.
        var empty = new ChatMessage(ChatRole.User, "q") { AdditionalProperties = [] };
        Assert.Equal(plain, Chat(null, empty));
    }

    [Fact]
    public void FunctionArguments_OfObjectType_AreKeyedCanonically()
    {
        static ChatMessage Call(object? argument) => new(ChatRole.Assistant,
            [new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["x"] = argument })]);
        Assert.NotEqual(Chat(null, Call((1, 2))), Chat(null, Call((3, 4))));
        Assert.NotEqual(Chat(null, Call(new Circle("c", 1))), Chat(null, Call(new Circle("c", 2))));
        Assert.NotEqual(Chat(null, Call(1)), Chat(null, Call(1L)));
        Assert.Throws<CacheKeyException>(() => Chat(null, Call(new System.Text.StringBuilder("x"))));
    }

    [Fact]
    public void UnknownContentAndToolSubclasses_AreKeyedCompletely()
    {
        Assert.NotEqual(Chat(null, new ChatMessage(ChatRole.User, [new CustomContent { Payload = "a" }])),
            Chat(null, new ChatMessage(ChatRole.User, [new CustomContent { Payload = "b" }])));
        Assert.NotEqual(WithTool(new CustomTool { Region = "eu" }), WithTool(new CustomTool { Region = "us" }));
        // A user subclass of a content the writer knows is walked whole, derived members included.
        Assert.NotEqual(Chat(null, new ChatMessage(ChatRole.User, [new TaggedData("x") { Tag = "a" }])),
            Chat(null, new ChatMessage(ChatRole.User, [new TaggedData("x") { Tag = "b" }])));
    }

    private sealed class CustomContent : AIContent
    {
        public string? Payload { get; set; }
    }

    private sealed class CustomTool : AITool
    {
        public override string Name => "custom";

        public string? Region { get; set; }
    }

    private sealed class TaggedData(string uri) : UriContent(new Uri("https://a.example/" + uri), "image/png")
    {
        public string? Tag { get; set; }
    }
}
