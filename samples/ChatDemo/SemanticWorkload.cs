namespace ChatDemo;

/// <summary>
/// The <c>--semantic</c> workload: customers ask the same questions in their own words. Each intent has
/// several phrasings; some intents are near misses of others (cancel or pause, upgrade or downgrade, a
/// refund within 14 or 30 days), which a semantic cache must never answer for each other. The demo
/// knows which phrasings belong together, so it counts the false hits.
/// </summary>
internal static class SemanticWorkload
{
    public static readonly string[][] Intents =
    [
        ["How do I reset my password?", "I forgot my password, how can I change it?", "How can I reset my password?", "What's the way to reset my password?"],
        ["Where can I download my invoice?", "Where do I find my invoices to download?", "How can I download my invoice?", "Where can I get a copy of my invoice?"],
        ["How do I cancel my subscription?", "How can I cancel my subscription?", "I want to cancel my subscription, how?", "What are the steps to cancel my subscription?"],
        ["How do I pause my subscription?", "Can I pause my subscription for a while?", "How can I pause my subscription?"],
        ["How do I upgrade to the Pro plan?", "How can I upgrade my account to the Pro plan?", "What do I do to upgrade to Pro plan?"],
        ["How do I downgrade to the Free plan?", "How can I downgrade my account to the Free plan?"],
        ["Can I get a refund within 14 days?", "Is a refund possible within 14 days?", "Do you refund purchases within 14 days?"],
        ["Can I get a refund within 30 days?", "Is a refund possible within 30 days?"],
        ["How do I enable two-factor authentication?", "How can I turn on two-factor authentication?", "How do I set up two-factor authentication?"],
        ["Why was my card declined?", "Why did my card get declined?", "My card was declined, why?"],
        ["Can I export my data?", "Is it possible to export my data?", "How can I export all my data?"],
        ["Can I import my data?", "Is it possible to import my data?"],
        ["How do I add a team member?", "How can I add a new team member?", "How do I add someone to my team?"],
        ["How do I remove a team member?", "How can I remove someone from my team?"],
        ["How long does shipping take?", "How many days does shipping take?", "How long will shipping take?"],
        ["Do you ship to Canada?", "Can you ship my order to Canada?"],
        ["Do you ship to Mexico?", "Can you ship my order to Mexico?"],
        ["How do I change the email address on my account?", "How can I change my account's email address?", "Can I change the email address of my account?"],
        ["What payment methods do you accept?", "Which payment methods can I use?", "What payment methods are accepted?"],
        ["How do I contact a human agent?", "How can I talk to a human agent?", "Can I contact a human agent?"],
    ];

    /// <summary>Every phrasing's intent.</summary>
    private static readonly Dictionary<string, int> IntentOf = Intents
        .SelectMany((phrasings, intent) => phrasings.Select(p => (p, intent)))
        .ToDictionary(x => x.p, x => x.intent, StringComparer.Ordinal);

    /// <summary>Draws (intent, phrasing) for every request: intents Zipf-like, phrasings uniformly.</summary>
    public static (int Intent, string Question)[] Draw(int requests, int seed)
    {
        double[] cumulative = new double[Intents.Length];
        double total = 0;
        for (int i = 0; i < Intents.Length; i++)
        {
            total += 1.0 / Math.Pow(i + 1, 0.8);
            cumulative[i] = total;
        }
        var random = new Random(seed);
        var drawn = new (int, string)[requests];
        for (int r = 0; r < requests; r++)
        {
            int index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            int intent = index >= 0 ? index : Math.Min(~index, Intents.Length - 1);
            string[] phrasings = Intents[intent];
            drawn[r] = (intent, phrasings[random.Next(phrasings.Length)]);
        }
        return drawn;
    }

    /// <summary>
    /// The intent an answer was given for: the simulated LLM quotes the question it answered; a real
    /// model's answers are known from the misses of this run. Null when unknown.
    /// </summary>
    public static int? IntentOfAnswer(string answer, IReadOnlyDictionary<string, int> answered)
    {
        if (answered.TryGetValue(answer, out int intent))
        {
            return intent;
        }
        int open = answer.IndexOf('"', StringComparison.Ordinal);
        int close = open < 0 ? -1 : answer.IndexOf('"', open + 1);
        return close > open && IntentOf.TryGetValue(answer[(open + 1)..close], out int quoted) ? quoted : null;
    }
}
