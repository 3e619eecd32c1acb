using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace LlmCache.Browser.Tests;

/// <summary>
/// The dashboard in a real browser: SupportWeb runs as its own process, headless Chromium (Debian's
/// package, which <c>eng/test.sh</c> installs) opens <c>/llmcache/</c>, and what the page shows is
/// compared with <c>stats</c> and with the Prometheus scrape of the meter; purges are made from the page.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dashboard_ShowsTheMetersFigures_AndPurgesFromThePage()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (bash eng/test.sh does).");
        await using SupportWebProcess web = await SupportWebProcess.StartAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = web.Address, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("Healthy", await http.GetStringAsync("health"));
        const string question = "Can the browser test get an answer?";
        Assert.False((await AskAsync(http, question)).GetProperty("cached").GetBoolean());
        Assert.True((await AskAsync(http, question)).GetProperty("cached").GetBoolean());

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        await using IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = web.Address.ToString(),
            Locale = "en-US",
            ColorScheme = ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        IPage page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add("console: " + message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add("page: " + error);
        page.Response += (_, answer) =>
        {
            if (answer.Status >= 400)
            {
                problems.Add($"HTTP {answer.Status}: {answer.Request.Method} {answer.Url}");
            }
        };
        var dialogs = new List<string>();
        bool acceptDialogs = true;
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            if (acceptDialogs)
            {
                await dialog.AcceptAsync();
            }
            else
            {
                await dialog.DismissAsync();
            }
        };

        IResponse? response = await page.GotoAsync("llmcache/");
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await page.WaitForSelectorAsync("body[data-loaded=true]", new() { Timeout = (float)Patience.TotalMilliseconds });
        await page.SelectOptionAsync("#interval", "1000");

        // 1. The page's numbers are the runtime's and the meter's.
        JsonElement stats = await AssertPageShowsStatsAsync(page, http);
        JsonElement totals = stats.GetProperty("totals");
        Assert.True(totals.GetProperty("hits").GetInt64() > 0 && totals.GetProperty("misses").GetInt64() > 0, "seed traffic and the test's requests are counted");
        await AssertMeterAgreesAsync(http, totals.GetProperty("hits").GetInt64(), totals.GetProperty("misses").GetInt64());
        Assert.Equal("closed", await page.Locator("#tiers li[data-tier='0:SqliteCacheTier']").GetAttributeAsync("data-breaker"));
        Assert.Contains("SqliteCacheTier", await page.Locator("#tiers").InnerTextAsync());
        Assert.Contains("simulated-support-1", await page.Locator("#models").InnerTextAsync());

        // 2. Purging the answers' tag from the page: the next answer is a miss, the triage (another tag) still a hit.
        await page.FillAsync("#purge-tag-input", "support");
        await page.ClickAsync("#purge-tag button[type=submit]");
        await WaitForTextAsync(page, "#purge-result", text => text.StartsWith("Purged", StringComparison.Ordinal));
        Assert.Contains("support", dialogs[^1]);
        JsonElement afterTag = await AskAsync(http, question);
        Assert.False(afterTag.GetProperty("cached").GetBoolean());
        Assert.True(afterTag.GetProperty("triageCached").GetBoolean());
        stats = await AssertPageShowsStatsAsync(page, http);
        Assert.Equal(totals.GetProperty("misses").GetInt64() + 1, stats.GetProperty("totals").GetProperty("misses").GetInt64());

        // 3. Purging a method from its row: its next call is a miss; the other method keeps its entries.
        string triage = await page.Locator("button[data-purge-method*='.TriageAsync.']").GetAttributeAsync("data-purge-method") ?? "";
        Assert.Contains("TriageAsync", triage);
        int dialogCount = dialogs.Count;
        await page.ClickAsync("button[data-purge-method*='.TriageAsync.']");
        await WaitForTextAsync(page, "#purge-result", text => text.StartsWith("Purged every entry of SupportAgent.TriageAsync", StringComparison.Ordinal));
        Assert.Equal(dialogCount + 1, dialogs.Count);
        JsonElement afterMethod = await AskAsync(http, question);
        Assert.False(afterMethod.GetProperty("triageCached").GetBoolean());
        Assert.True(afterMethod.GetProperty("cached").GetBoolean());

        // 4. A dismissed confirmation purges nothing.
        acceptDialogs = false;
        await page.ClickAsync("button[data-purge-method*='.AnswerAsync.']");
        await WaitUntilAsync(() => Task.FromResult(dialogs.Count == dialogCount + 2), "the confirmation dialog");
        Assert.True((await AskAsync(http, question)).GetProperty("cached").GetBoolean());
        acceptDialogs = true;

        // 5. Some live traffic for the chart, then the page agrees with the figures again and is photographed.
        for (int i = 0; i < 12; i++)
        {
            await AskAsync(http, i % 3 == 0 ? $"A new question, number {i}?" : "How do I reset my password?");
            await Task.Delay(350);
        }
        stats = await AssertPageShowsStatsAsync(page, http);
        await AssertMeterAgreesAsync(http, stats.GetProperty("totals").GetProperty("hits").GetInt64(), stats.GetProperty("totals").GetProperty("misses").GetInt64());
        await page.FillAsync("#purge-tag-input", "");
        string screenshots = Path.Combine(SupportWebProcess.RepositoryRoot(), "TestResults");
        Directory.CreateDirectory(screenshots);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");   // the header is sticky: a scrolled page would show it mid-picture
        await page.Mouse.MoveAsync(0, 0);
        await page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "dashboard.png"), FullPage = true });
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "dashboard-dark.png"), FullPage = true });

        Assert.True(problems.Count == 0, "The page reported errors:\n" + string.Join("\n", problems));
    }

    private static async Task<JsonElement> AskAsync(HttpClient http, string question)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("ask", new { question, userId = "browser-test" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("llmcache/stats")).Clone();

    /// <summary>
    /// Waits until the page has polled the current figures (nothing else sends traffic now), then compares
    /// every total and every method row with <c>stats</c>.
    /// </summary>
    private static async Task<JsonElement> AssertPageShowsStatsAsync(IPage page, HttpClient http)
    {
        JsonElement stats = default;
        await WaitUntilAsync(async () =>
        {
            stats = await StatsAsync(http);
            JsonElement t = stats.GetProperty("totals");
            return await NumberAsync(page, "#kpi-hits") == t.GetProperty("hits").GetInt64()
                && await NumberAsync(page, "#kpi-misses") == t.GetProperty("misses").GetInt64();
        }, "the page to show the current hits and misses");

        JsonElement totals = stats.GetProperty("totals");
        long hits = totals.GetProperty("hits").GetInt64(), misses = totals.GetProperty("misses").GetInt64();
        Assert.Equal(hits + misses, await NumberAsync(page, "#kpi-calls"));
        double hitRate = stats.GetProperty("hitRate").GetDouble();
        Assert.Equal(hitRate, double.Parse((await page.GetAttributeAsync("#kpi-hit-rate", "data-value"))!, CultureInfo.InvariantCulture), 9);
        string rateText = await page.InnerTextAsync("#kpi-hit-rate");
        Assert.Equal(Math.Round(hitRate * 100, 1), double.Parse(rateText.TrimEnd('%'), CultureInfo.InvariantCulture), 1);
        long input = totals.GetProperty("inputTokensSaved").GetInt64(), output = totals.GetProperty("outputTokensSaved").GetInt64();
        Assert.True(input > 0 && output > 0, "hits report the tokens they saved");
        Assert.Equal(input + output, await NumberAsync(page, "#kpi-tokens"));
        Assert.Equal(input, await NumberAsync(page, "#kpi-tokens-in"));
        Assert.Equal(output, await NumberAsync(page, "#kpi-tokens-out"));
        decimal cost = totals.GetProperty("costSaved").GetDecimal();
        Assert.True(cost > 0, "the simulated models have prices");
        Assert.Equal(cost, decimal.Parse((await page.GetAttributeAsync("#kpi-cost", "data-value"))!, NumberStyles.Float, CultureInfo.InvariantCulture));
        Assert.StartsWith("$", await page.InnerTextAsync("#kpi-cost"), StringComparison.Ordinal);
        Assert.Equal(totals.GetProperty("errors").GetInt64(), await NumberAsync(page, "#kpi-errors"));

        JsonElement[] methods = [.. stats.GetProperty("methods").EnumerateArray()];
        Assert.Equal(methods.Length, await page.Locator("#methods tbody tr[data-method-id]").CountAsync());
        foreach (JsonElement method in methods)
        {
            string id = method.GetProperty("methodId").GetString()!;
            ILocator row = page.Locator($"#methods tr[data-method-id='{id}']");
            Assert.Equal(method.GetProperty("hits").GetInt64() + method.GetProperty("misses").GetInt64(), await NumberAsync(row.Locator("td[data-col=calls]")));
            Assert.Equal(method.GetProperty("memoryHits").GetInt64(), await NumberAsync(row.Locator("td[data-col=memoryHits]")));
            Assert.Equal(method.GetProperty("distributedHits").GetInt64(), await NumberAsync(row.Locator("td[data-col=distributedHits]")));
            Assert.Equal(method.GetProperty("misses").GetInt64(), await NumberAsync(row.Locator("td[data-col=misses]")));
            Assert.Equal(method.GetProperty("inputTokensSaved").GetInt64() + method.GetProperty("outputTokensSaved").GetInt64(),
                await NumberAsync(row.Locator("td[data-col=tokensSaved]")));
        }

        foreach (JsonElement tier in stats.GetProperty("tiers").EnumerateArray())
        {
            string shown = await page.InnerTextAsync($"#tiers li[data-tier='{tier.GetProperty("name").GetString()}'] .detail");
            Assert.StartsWith(tier.GetProperty("hits").GetInt64().ToString("N0", CultureInfo.InvariantCulture) + " hits", shown, StringComparison.Ordinal);
            Assert.Equal(tier.GetProperty("hits").GetInt64(), await NumberAsync(page.Locator($"#chart-levels [data-bar='tier:{tier.GetProperty("name").GetString()}'] .figure")));
        }
        Assert.Equal(methods.Sum(m => m.GetProperty("distributedHits").GetInt64()), await NumberAsync(page.Locator("#chart-levels [data-bar=second-level] .figure")));
        // Savings by model come from the meter (counted since the endpoints were mapped, before any traffic).
        JsonElement[] models = [.. stats.GetProperty("meter").GetProperty("models").EnumerateArray()];
        Assert.Equal(models.Length, await page.Locator("#models tbody tr[data-model]").CountAsync());
        Assert.Equal((double)cost, models.Sum(m => m.GetProperty("costSaved").GetDouble()), 6);
        Assert.Equal(input, models.Sum(m => m.GetProperty("inputTokensSaved").GetInt64()));
        long memory = methods.Sum(m => m.GetProperty("memoryHits").GetInt64());
        Assert.Equal(memory, await NumberAsync(page.Locator("#chart-levels [data-bar=memory] .figure")));
        long semantic = methods.Sum(m => m.GetProperty("semanticHits").GetInt64());
        Assert.Equal(semantic, await NumberAsync(page.Locator("#chart-levels [data-bar=semantic] .figure")));
        Assert.Equal(misses, await NumberAsync(page.Locator("#chart-levels [data-bar=misses] .figure")));
        return stats;
    }

    /// <summary>The Prometheus scrape of the runtime's meter counts the same hits and misses as the runtime.</summary>
    private static async Task AssertMeterAgreesAsync(HttpClient http, long hits, long misses)
    {
        (double Hits, double Misses) scraped = default;
        await WaitUntilAsync(async () =>
        {
            string metrics = await http.GetStringAsync("metrics");
            scraped = (Sum(metrics, "llmcache_hits_total{"), Sum(metrics, "llmcache_misses_total{"));
            return scraped.Hits == hits && scraped.Misses == misses;
        }, $"the meter to report {hits} hits and {misses} misses (last scrape: {scraped})");
    }

    private static double Sum(string metrics, string series) => metrics.Split('\n')
        .Where(line => line.StartsWith(series, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    private static Task<long> NumberAsync(IPage page, string selector) => NumberAsync(page.Locator(selector));

    private static async Task<long> NumberAsync(ILocator locator) =>
        long.Parse((await locator.InnerTextAsync()).Replace(",", "", StringComparison.Ordinal).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    private static Task WaitForTextAsync(IPage page, string selector, Func<string, bool> condition) =>
        WaitUntilAsync(async () => condition(await page.InnerTextAsync(selector)), "the text of " + selector);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for " + what);
            }
            await Task.Delay(200);
        }
    }
}
