// The SDK methods this project caches without touching a single call site.
[assembly: LlmCache.LlmCacheCalls(typeof(OpenAI.Chat.ChatClient), nameof(OpenAI.Chat.ChatClient.CompleteChatAsync), Ttl = "1h", Tags = ["openai"])]
[assembly: LlmCache.LlmCacheCalls(typeof(Anthropic.Services.IMessageService), nameof(Anthropic.Services.IMessageService.Create), Ttl = "1h")]
