using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using LlmCache.Testing;

namespace LlmCache.Sdk.Tests;

/// <summary><c>[assembly: LlmCacheCalls(typeof(IMessageService), "Create")]</c>: the official Anthropic SDK, cached at its call sites.</summary>
public sealed class AnthropicCallsTests
{
    private static MessageCreateParams Ask(string text, string model = "claude-sonnet-4-5", long maxTokens = 256) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = [new MessageParam(new UserMessageParam(text), null)],
    };

    [Fact]
    public async Task ARepeatedRequest_MakesNoSecondHttpRequest_AndReturnsAnEqualMessage()
    {
        await using var server = new FakeProviderServer();
        var client = new AnthropicClient { BaseUrl = server.Root.AbsoluteUri.TrimEnd('/'), ApiKey = "test-key" };
        string question = "anthropic " + Guid.NewGuid();

        Message first = await client.Messages.Create(Ask(question));
        Message second = await client.Messages.Create(Ask(question));

        Assert.Equal(1, server.Requests);
        Assert.Equal("echo 1: " + question, ((TextBlock)first.Content[0].Value!).Text);
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(second));
        Assert.Equal("msg_fake_1", second.ID);
        Assert.Equal(6, second.Usage.OutputTokens);
    }

    [Fact]
    public async Task ADifferentQuestion_Model_OrMaxTokens_ReachesTheProvider()
    {
        await using var server = new FakeProviderServer();
        var client = new AnthropicClient { BaseUrl = server.Root.AbsoluteUri.TrimEnd('/'), ApiKey = "test-key" };
        string question = "anthropic " + Guid.NewGuid();

        await client.Messages.Create(Ask(question));
        await client.Messages.Create(Ask(question + "?"));
        await client.Messages.Create(Ask(question, model: "claude-haiku-4-5"));
        await client.Messages.Create(Ask(question, maxTokens: 512));
        await client.Messages.Create(Ask(question));

        Assert.Equal(4, server.Requests);
    }
}
