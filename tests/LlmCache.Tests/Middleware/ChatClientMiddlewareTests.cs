using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCache.Tests.Middleware;

/// <summary><c>UseLlmCache()</c>: an <see cref="IChatClient"/> pipeline served from the runtime.</summary>
public sealed class ChatClientMiddlewareTests
{
    private static bool IsHit(ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(LlmCacheChatClient.HitProperty, out object? hit) == true && hit is true;

    private static bool IsHit(ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(LlmCacheChatClient.HitProperty, out object? hit) == true && hit is true;

    private static ChatMessage[] Ask(string text) => [new ChatMessage(ChatRole.User, text)];

    [Fact]
    public async Task SameRequestTwice_CallsTheModelOnce_AndMarksTheHit()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        ChatResponse first = await client.GetResponseAsync(Ask("hello"));
        ChatResponse second = await client.GetResponseAsync(Ask("hello"));

        Assert.Equal(1, inner.Calls);
        Assert.Equal("hello#1", first.Text);
        Assert.Equal("hello#1", second.Text);
        Assert.False(IsHit(first));
        Assert.True(IsHit(second));
        // The mark is on the caller's copy only: the next hit is marked again, the first answer never.
        ChatResponse third = await client.GetResponseAsync(Ask("hello"));
        Assert.True(IsHit(third));
        Assert.NotSame(second, third);
    }

    [Fact]
    public async Task ADifferentMessage_Tool_OrTemperature_CallsTheModelAgain()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();
        AITool weather = AIFunctionFactory.Create((string city) => "sunny", "weather");
        AITool time = AIFunctionFactory.Create((string city) => "noon", "time");

        await client.GetResponseAsync(Ask("a"), new ChatOptions { Temperature = 0.1f, Tools = [weather] });
        await client.GetResponseAsync(Ask("a"), new ChatOptions { Temperature = 0.1f, Tools = [weather] });
        Assert.Equal(1, inner.Calls);

        await client.GetResponseAsync(Ask("b"), new ChatOptions { Temperature = 0.1f, Tools = [weather] });
        Assert.Equal(2, inner.Calls);
        await client.GetResponseAsync(Ask("a"), new ChatOptions { Temperature = 0.1f, Tools = [time] });
        Assert.Equal(3, inner.Calls);
        await client.GetResponseAsync(Ask("a"), new ChatOptions { Temperature = 0.7f, Tools = [weather] });
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task Streaming_ReplaysTheSameUpdates_WithOneModelCall()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        List<ChatResponseUpdate> first = await client.GetStreamingResponseAsync(Ask("s")).ToListAsync();
        List<ChatResponseUpdate> second = await client.GetStreamingResponseAsync(Ask("s")).ToListAsync();

        Assert.Equal(1, inner.Calls);
        Assert.Equal(3, first.Count);
        Assert.Equal(first.Select(u => u.Text), second.Select(u => u.Text));
        Assert.All(first, u => Assert.False(IsHit(u)));
        Assert.All(second, u => Assert.True(IsHit(u)));
    }

    [Fact]
    public async Task StreamsAndResponses_DoNotShareEntries()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        await client.GetResponseAsync(Ask("x"));
        await client.GetStreamingResponseAsync(Ask("x")).ToListAsync();

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task AConversationIdRequest_ReachesTheModelEveryTime_UnlessOptedIn()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();
        var options = new ChatOptions { ConversationId = "conv-1" };

        await client.GetResponseAsync(Ask("c"), options);
        await client.GetResponseAsync(Ask("c"), options);
        await client.GetStreamingResponseAsync(Ask("c"), options).ToListAsync();
        await client.GetStreamingResponseAsync(Ask("c"), options).ToListAsync();
        Assert.Equal(4, inner.Calls);

        var optedIn = new CountingChatClient();
        IChatClient caching = new ChatClientBuilder(optedIn).UseLlmCache(runtime, o => o.CacheConversations = true).Build();
        await caching.GetResponseAsync(Ask("c"), options);
        await caching.GetResponseAsync(Ask("c"), options);
        Assert.Equal(1, optedIn.Calls);
    }

    [Fact]
    public async Task NoCacheScope_ForcesAModelCall()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        await client.GetResponseAsync(Ask("n"));
        ChatResponse fresh;
        using (LlmCacheScope.With(new CacheControl { NoCache = true }))
        {
            fresh = await client.GetResponseAsync(Ask("n"));
        }

        Assert.Equal(2, inner.Calls);
        Assert.Equal("n#2", fresh.Text);
        Assert.False(IsHit(fresh));
        // The fresh answer replaced the entry.
        Assert.Equal("n#2", (await client.GetResponseAsync(Ask("n"))).Text);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task ClientsOverDifferentModels_DoNotShareEntries()
    {
        using var runtime = new LlmCacheRuntime();
        var small = new CountingChatClient(model: "small");
        var large = new CountingChatClient(model: "large");
        IChatClient first = new ChatClientBuilder(small).UseLlmCache(runtime).Build();
        IChatClient second = new ChatClientBuilder(large).UseLlmCache(runtime).Build();

        await first.GetResponseAsync(Ask("m"));
        ChatResponse answer = await second.GetResponseAsync(Ask("m"));

        Assert.Equal(1, small.Calls);
        Assert.Equal(1, large.Calls);
        Assert.False(IsHit(answer));

        // Two clients over the same provider and model do share them.
        var again = new CountingChatClient(model: "small");
        IChatClient third = new ChatClientBuilder(again).UseLlmCache(runtime).Build();
        Assert.True(IsHit(await third.GetResponseAsync(Ask("m"))));
        Assert.Equal(0, again.Calls);
    }

    [Fact]
    public async Task AControlOnTheOptions_AppliesToThatCall_WithoutEnteringTheKeyOrReachingTheProvider()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();
        var options = new ChatOptions { Temperature = 0.2f, AdditionalProperties = new() { ["user_tier"] = "gold" } };
        await client.GetResponseAsync(Ask("c"), options);

        ChatOptions fresh = options.Clone().WithCacheControl(new CacheControl { NoCache = true });
        Assert.Equal("c#2", (await client.GetResponseAsync(Ask("c"), fresh)).Text);
        Assert.False(inner.LastOptions!.AdditionalProperties!.ContainsKey(ChatOptionsCacheControl.PropertyName));
        Assert.Equal("gold", inner.LastOptions.AdditionalProperties["user_tier"]);
        Assert.True(fresh.AdditionalProperties!.ContainsKey(ChatOptionsCacheControl.PropertyName)); // the caller's object is untouched

        // The fresh answer was stored under the request's own key: a plain call is a hit of it.
        ChatResponse again = await client.GetResponseAsync(Ask("c"), options);
        Assert.True(IsHit(again));
        Assert.Equal("c#2", again.Text);

        ChatOptions noStore = options.Clone().WithCacheControl(new CacheControl { NoCache = true, NoStore = true });
        Assert.Equal("c#3", (await client.GetResponseAsync(Ask("c"), noStore)).Text);
        Assert.Equal("c#2", (await client.GetResponseAsync(Ask("c"), options)).Text);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task ClientsOverDifferentEndpointsOfOneProviderAndModel_DoNotShareEntries()
    {
        using var runtime = new LlmCacheRuntime();
        var east = new CountingChatClient(model: "m", endpoint: "https://east.example/");
        var west = new CountingChatClient(model: "m", endpoint: "https://west.example/");
        await new ChatClientBuilder(east).UseLlmCache(runtime).Build().GetResponseAsync(Ask("e"));
        ChatResponse answer = await new ChatClientBuilder(west).UseLlmCache(runtime).Build().GetResponseAsync(Ask("e"));
        Assert.False(IsHit(answer));
        Assert.Equal(1, west.Calls);
    }

    [Fact]
    public async Task TheClientNamespace_SeparatesEntries_AndTheMethodIdsNameTheShape()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        var plain = new LlmCacheChatClient(inner, runtime);
        var named = new LlmCacheChatClient(inner, runtime, new LlmCacheChatClientOptions { Namespace = "v2", Ttl = TimeSpan.FromMinutes(5), Tags = ["chat"] });

        await plain.GetResponseAsync(Ask("k"));
        await named.GetResponseAsync(Ask("k"));

        Assert.Equal(2, inner.Calls);
        Assert.Matches(@"^LlmCache\.ChatClient\.GetResponseAsync\.[0-9a-f]{16}$", plain.ResponseMethod.Id);
        Assert.Matches(@"^LlmCache\.ChatClient\.GetStreamingResponseAsync\.[0-9a-f]{16}$", plain.StreamingMethod.Id);
        Assert.NotEqual(plain.ResponseMethod.Id, named.ResponseMethod.Id);
        Assert.Equal(TimeSpan.FromMinutes(5), named.ResponseMethod.Ttl);
        Assert.Equal(["chat"], named.ResponseMethod.Tags);
    }

    [Fact]
    public async Task TheDiForm_UsesTheRegisteredRuntime()
    {
        var inner = new CountingChatClient();
        var services = new ServiceCollection();
        services.AddLlmCache(o => o.UseAsDefault = false); // resolved from the services, not through Default
        services.AddChatClient(inner).UseLlmCache();
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient client = provider.GetRequiredService<IChatClient>();
        LlmCacheRuntime runtime = provider.GetRequiredService<LlmCacheRuntime>();

        Assert.NotNull(client.GetService<LlmCacheChatClient>());
        await client.GetResponseAsync(Ask("di"));
        using CacheProbe probe = LlmCacheScope.Observe();
        ChatResponse second = await client.GetResponseAsync(Ask("di"));

        Assert.Equal(1, inner.Calls);
        Assert.True(IsHit(second));
        Assert.Equal(1, probe.Hits);
        Assert.Equal(1, runtime.Statistics.Hits);
    }

    [Fact]
    public async Task ATenantScope_PartitionsEntries_AndForgettingTheTenantRemovesOnlyItsOwn()
    {
        using var runtime = new LlmCacheRuntime(new LlmCacheOptions { KeySecret = "a-test-secret-of-32-characters!!" });
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        using (LlmCacheScope.ForTenant("acme"))
        {
            Assert.Equal("q#1", (await client.GetResponseAsync(Ask("q"))).Text);
            Assert.Equal("q#1", (await client.GetResponseAsync(Ask("q"))).Text);
        }
        using (LlmCacheScope.ForTenant("globex"))
        {
            // Same request, another tenant: never served acme's answer.
            Assert.Equal("q#2", (await client.GetResponseAsync(Ask("q"))).Text);
        }
        // No tenant: a partition of its own too.
        Assert.Equal("q#3", (await client.GetResponseAsync(Ask("q"))).Text);
        Assert.Equal(3, inner.Calls);

        Assert.True(await runtime.ForgetTenantAsync("acme"));
        using (LlmCacheScope.ForTenant("acme"))
        {
            Assert.Equal("q#4", (await client.GetResponseAsync(Ask("q"))).Text);
        }
        using (LlmCacheScope.ForTenant("globex"))
        {
            Assert.Equal("q#2", (await client.GetResponseAsync(Ask("q"))).Text);
        }
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task AStreamItsCallerCancels_IsNotStored()
    {
        using var runtime = new LlmCacheRuntime();
        var inner = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(inner).UseLlmCache(runtime).Build();

        using (var cts = new CancellationTokenSource())
        {
            try
            {
                // The fake model ignores the token and ends quietly; a real one throws. Neither is stored.
                await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Ask("s"), cancellationToken: cts.Token))
                {
                    cts.Cancel(); // after the first update
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        var texts = new List<string>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(Ask("s")))
        {
            Assert.False(IsHit(update));
            texts.Add(update.Text);
        }

        Assert.Equal(2, inner.Calls);
        Assert.Equal(["part0#2 ", "part1#2 ", "part2#2 "], texts);
    }
}
