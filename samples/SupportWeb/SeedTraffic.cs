namespace SupportWeb;

/// <summary>
/// Customer questions, drawn with a Zipf-like skew (popular questions repeat, rare ones seldom), and the
/// traffic SupportWeb sends itself on start so that the dashboard is never empty.
/// </summary>
public static class SeedTraffic
{
    public static readonly string[] Questions =
    [
        "How do I reset my password?",
        "Where can I download my invoice?",
        "How do I cancel my subscription?",
        "Why was my card declined?",
        "How do I enable two-factor authentication?",
        "What is your refund policy?",
        "Where is my order?",
        "How long does shipping take?",
        "How do I connect the API?",
        "What are the API rate limits?",
        "How do I add a team member?",
        "Can I export my data?",
        "How do I update my billing details?",
        "Do you ship internationally?",
        "How do I rotate my API key?",
        "How do I delete my account?",
        "Is my data encrypted?",
        "Can I pause my subscription?",
        "How do I change my username?",
        "How do I contact a human agent?",
    ];

    /// <summary>The question of each of <paramref name="requests"/> requests, the same for a given seed.</summary>
    public static string[] Draw(int requests, int seed = 13)
    {
        double[] cumulative = new double[Questions.Length];
        double total = 0;
        for (int i = 0; i < Questions.Length; i++)
        {
            total += 1.0 / Math.Pow(i + 1, 1.1);
            cumulative[i] = total;
        }
        var random = new Random(seed);
        var drawn = new string[requests];
        for (int r = 0; r < requests; r++)
        {
            int index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            drawn[r] = Questions[index >= 0 ? index : Math.Min(~index, Questions.Length - 1)];
        }
        return drawn;
    }

    /// <summary>Asks every drawn question, four at a time, as customers of the day would.</summary>
    public static async Task RunAsync(SupportDesk desk, int requests, CancellationToken cancellationToken)
    {
        string[] questions = Draw(requests);
        await Parallel.ForAsync(0, questions.Length, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => await desk.AskAsync(new AskRequest(questions[i], $"seed-user-{i % 37:D2}"), ct));
    }
}
