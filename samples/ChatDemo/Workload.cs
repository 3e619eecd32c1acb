namespace ChatDemo;

/// <summary>
/// A customer-support workload: requests drawn, deterministically for a seed, from a few dozen FAQ
/// questions with a Zipf-like skew, so popular questions repeat often and rare ones seldom.
/// </summary>
internal static class Workload
{
    public static readonly string[] Questions =
    [
        "How do I reset my password?",
        "Where can I download my invoice?",
        "How do I cancel my subscription?",
        "Can I change the email address on my account?",
        "Why was my card declined?",
        "How do I enable two-factor authentication?",
        "What is your refund policy?",
        "How do I upgrade to the Pro plan?",
        "Can I export my data?",
        "How do I add a team member?",
        "Where is my order?",
        "How long does shipping take?",
        "Do you ship internationally?",
        "How do I return a product?",
        "Can I change my delivery address after ordering?",
        "How do I apply a discount code?",
        "Why can't I log in?",
        "How do I delete my account?",
        "Is my data encrypted?",
        "Do you offer a student discount?",
        "How do I update my billing details?",
        "Can I pause my subscription?",
        "What payment methods do you accept?",
        "How do I contact a human agent?",
        "Is there a mobile app?",
        "How do I change my username?",
        "Why is the app so slow today?",
        "How do I connect the API?",
        "What are the API rate limits?",
        "How do I rotate my API key?",
        "Do you have an SLA?",
        "Where are your servers located?",
        "Are you GDPR compliant?",
        "How do I report a bug?",
        "Can I get a copy of my contract?",
        "How do I merge two accounts?",
        "Why did my invoice amount change?",
        "Can I use the product offline?",
        "How do I turn off email notifications?",
        "What's new in the latest release?",
    ];

    /// <summary>Draws the question index of every request.</summary>
    public static int[] Draw(int requests, int seed)
    {
        // Zipf(s = 1.1) over the questions: cumulative weights, then inverse-CDF sampling.
        double[] cumulative = new double[Questions.Length];
        double total = 0;
        for (int i = 0; i < Questions.Length; i++)
        {
            total += 1.0 / Math.Pow(i + 1, 1.1);
            cumulative[i] = total;
        }
        var random = new Random(seed);
        int[] drawn = new int[requests];
        for (int r = 0; r < requests; r++)
        {
            double u = random.NextDouble() * total;
            int index = Array.BinarySearch(cumulative, u);
            drawn[r] = index >= 0 ? index : Math.Min(~index, Questions.Length - 1);
        }
        return drawn;
    }

    /// <summary>A different customer for each request: the user id must not split the cache.</summary>
    public static string UserFor(int request, int seed) => $"user-{(request * 7919 + seed) % 1000:D3}";
}
