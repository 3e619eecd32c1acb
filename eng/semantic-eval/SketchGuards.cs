using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// Sketches of the lexical guards issue 11 asks for, only to measure here which near misses each one
/// would reject and which paraphrases it would wrongly reject. Not the implementation: the word lists
/// are small and partly drawn from the evaluation set, so their numbers are optimistic; a held-out set
/// (or shadow mode on real traffic) must confirm them.
/// </summary>
static partial class SketchGuards
{
    public static readonly (string Name, Func<string, string, bool> Agrees)[] All =
    [
        ("negation", (a, b) => Negations(a) == Negations(b) && !PrefixAntonym(a, b)),
        ("number", (a, b) => Numbers(a).SetEquals(Numbers(b))),
        ("quoted", (a, b) => Quoted(a).SetEquals(Quoted(b))),
        ("date", (a, b) => Dates(a).SetEquals(Dates(b))),
        ("unit", (a, b) => Units(a) is var x && Units(b) is var y && (x.Count == 0 || y.Count == 0 || x.SetEquals(y))),
        ("entity", (a, b) => EntitiesAgree(a, b) && EntitiesAgree(b, a)),
        ("opposite", (a, b) => !Opposites(a, b)),
    ];

    static string Norm(string s)
    {
        s = s.ToLowerInvariant().Replace('\u2019', '\'');
        s = CannotRegex().Replace(s, "can not");
        s = WontRegex().Replace(s, "will not");
        s = NtRegex().Replace(s, " not");
        return s;
    }

    static List<string> Words(string s) => [.. WordRegex().Matches(Norm(s)).Select(m => m.Value)];

    static readonly HashSet<string> Negators = ["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "unable"];

    static int Negations(string s) => Words(Unquote(s)).Count(Negators.Contains);

    // "safe"/"unsafe", "lock"/"unlock": a word on one side whose negated form is on the other.
    static bool PrefixAntonym(string a, string b)
    {
        var x = Words(a).ToHashSet();
        var y = Words(b).ToHashSet();
        foreach (var (p, q) in new[] { (x, y), (y, x) })
        {
            foreach (var w in p.Except(q))
            {
                foreach (var prefix in new[] { "un", "non", "dis", "in", "de" })
                {
                    if (w.StartsWith(prefix, StringComparison.Ordinal) && w.Length > prefix.Length + 2 && q.Contains(w[prefix.Length..]) && !p.Contains(w[prefix.Length..]))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static readonly Dictionary<string, string> NumberWords = new()
    {
        ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7", ["eight"] = "8",
        ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12", ["fifteen"] = "15", ["twenty"] = "20",
        ["thirty"] = "30", ["forty"] = "40", ["fifty"] = "50", ["hundred"] = "100", ["thousand"] = "1000",
        ["twice"] = "2", ["thrice"] = "3", ["third"] = "3", ["fourth"] = "4", ["fifth"] = "5",
    };

    // Digits anywhere ("#48213", "10kg", "Q1", "2FA", "$19.99", "1,000", "3.12"), number words and
    // ordinals; "one", "a" and "first" are not counted (too common as pronoun, article and adverb:
    // "try it for free first"), nor is "second" after a number ("30 second timeout").
    static HashSet<string> Numbers(string s)
    {
        var result = new HashSet<string>();
        var words = Words(Unquote(s));
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (NumberWords.TryGetValue(w, out var n))
            {
                result.Add(n);
            }
            else if (w == "second" && (i == 0 || !char.IsDigit(words[i - 1][0])))
            {
                result.Add("2");
            }
        }
        foreach (Match m in NumberRegex().Matches(Unquote(s)))
        {
            var text = m.Value.Replace(",", "");
            result.Add(decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d.ToString(CultureInfo.InvariantCulture) : text);
        }
        return result;
    }

    static HashSet<string> Quoted(string s) =>
        [.. QuotedRegex().Matches(s).Select(m => WhitespaceRegex().Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), " "))];

    static string Unquote(string s) => QuotedRegex().Replace(s, " ");

    static readonly HashSet<string> CalendarWords =
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "today", "tomorrow", "yesterday", "tonight", "weekend", "spring", "summer", "autumn", "fall", "winter",
        "christmas", "easter", "new", "year's",
    ];

    static readonly HashSet<string> Relative = ["this", "next", "last", "previous", "coming"];

    // Calendar words, with "this/next/last" when they qualify a period ("next weekend", "last month").
    static HashSet<string> Dates(string s)
    {
        var words = Words(Unquote(s)).Select(w => w.EndsWith("days", StringComparison.Ordinal) && w.Length > 6 ? w[..^1] : w).ToList();
        var result = new HashSet<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (w == "new" && !(i + 1 < words.Count && words[i + 1] is "year" or "year's"))
            {
                continue;
            }
            if (w == "may" && !(i > 0 && char.IsDigit(words[i - 1][0]) || i + 1 < words.Count && char.IsDigit(words[i + 1][0])))
            {
                continue; // the verb
            }
            if (CalendarWords.Contains(w))
            {
                result.Add(w);
            }
            else if (Relative.Contains(w) && i + 1 < words.Count && words[i + 1] is "week" or "weekend" or "month" or "month's" or "year" or "quarter")
            {
                result.Add(w + " " + words[i + 1].Replace("'s", ""));
            }
        }
        return result;
    }

    static readonly Dictionary<string, string> UnitWords = new()
    {
        ["km"] = "km", ["kilometer"] = "km", ["kilometre"] = "km", ["mile"] = "mi", ["mi"] = "mi", ["meter"] = "m", ["metre"] = "m",
        ["foot"] = "ft", ["feet"] = "ft", ["ft"] = "ft", ["inch"] = "in", ["cm"] = "cm",
        ["kg"] = "kg", ["kilogram"] = "kg", ["kilo"] = "kg", ["lb"] = "lb", ["lbs"] = "lb", ["gram"] = "g", ["g"] = "g",
        ["kb"] = "kb", ["mb"] = "mb", ["gb"] = "gb", ["tb"] = "tb", ["mbps"] = "mbit/s", ["mph"] = "mi/h", ["km/h"] = "km/h", ["kmh"] = "km/h", ["gbps"] = "gbit/s", ["mb/s"] = "mbyte/s",
        ["$"] = "usd", ["usd"] = "usd", ["dollar"] = "usd", ["€"] = "eur", ["eur"] = "eur", ["euro"] = "eur",
        ["£"] = "gbp", ["gbp"] = "gbp", ["pound"] = "pound", ["yen"] = "jpy", ["jpy"] = "jpy", ["yuan"] = "cny", ["cny"] = "cny",
        ["ms"] = "ms", ["millisecond"] = "ms", ["second"] = "s", ["sec"] = "s", ["minute"] = "min", ["min"] = "min",
        ["hour"] = "h", ["day"] = "day", ["daily"] = "day", ["week"] = "week", ["weekly"] = "week",
        ["month"] = "month", ["monthly"] = "month", ["year"] = "year", ["yearly"] = "year", ["annual"] = "year", ["annually"] = "year",
        ["celsius"] = "°c", ["fahrenheit"] = "°f", ["liter"] = "l", ["litre"] = "l", ["gallon"] = "gal",
    };

    // Units and currencies; a side without any unit agrees with everything ("How long does a refund
    // take?" and "How many days until the refund shows up?").
    static HashSet<string> Units(string s)
    {
        var result = new HashSet<string>();
        string? previous = null;
        foreach (Match m in UnitTokenRegex().Matches(Norm(Unquote(s))))
        {
            var w = m.Value;
            var afterNumber = previous is not null && char.IsDigit(previous[0]);
            previous = w;
            if (w is "second" or "seconds" or "sec" && !afterNumber)
            {
                continue; // the ordinal
            }
            if (UnitWords.TryGetValue(w, out var u) || w.EndsWith('s') && UnitWords.TryGetValue(w[..^1], out u))
            {
                result.Add(u);
            }
        }
        return result;
    }

    static string Key(string w) => w.ToLowerInvariant().Replace("-", "").Replace(".", "");

    static readonly HashSet<string> NotEntities = ["i", "i'm", "i'd", "ok"];

    // Words with a capital letter that do not start a sentence (or any word of a quoted string is
    // left to the quoted guard): each must appear on the other side, compared without case.
    static bool EntitiesAgree(string a, string b)
    {
        var other = Words(Unquote(b)).Concat(RawWordRegex().Matches(Unquote(b)).Select(m => Key(m.Value))).ToHashSet();
        var text = Unquote(a);
        var sentenceStart = true;
        foreach (Match m in RawWordRegex().Matches(text))
        {
            var w = m.Value;
            var start = sentenceStart;
            sentenceStart = m.Index + w.Length < text.Length && EndOfSentenceRegex().IsMatch(text[(m.Index + w.Length)..])
                && w is not ("Dr" or "Mr" or "Mrs" or "Ms" or "St");
            if (start || !w.Any(char.IsUpper) || !char.IsLetter(w[0]) || NotEntities.Contains(w.ToLowerInvariant()))
            {
                continue;
            }
            var lower = Key(w);
            if (CalendarWords.Contains(lower.TrimEnd('s')) || CalendarWords.Contains(lower))
            {
                continue; // the date guard's business
            }
            if (!other.Contains(lower) && !other.Contains(lower.TrimEnd('s')) && !other.Contains(lower + "s"))
            {
                return false;
            }
        }
        return true;
    }

    // Pairs of opposite actions, generic antonyms only: one side has one, the other side the other.
    // Different but not opposite actions (cancel/pause, archive/delete, create/revoke) are left to
    // the similarity threshold.
    static readonly (string, string)[] OppositePairs =
    [
        ("upgrade", "downgrade"), ("import", "export"), ("add", "remove"), ("enable", "disable"), ("log in", "log out"),
        ("sign in", "sign out"), ("encrypt", "decrypt"), ("increase", "decrease"), ("deposit", "withdraw"),
        ("buy", "sell"), ("lock", "unlock"), ("subscribe", "unsubscribe"), ("start", "stop"), ("share", "stop sharing"),
        ("turn on", "turn off"), ("opt in", "opt out"), ("sign up", "opt out"), ("include", "exclude"), ("accept", "reject"),
    ];

    static bool Opposites(string a, string b)
    {
        var x = " " + string.Join(' ', Words(Unquote(a))) + " ";
        var y = " " + string.Join(' ', Words(Unquote(b))) + " ";
        foreach (var (p, q) in OppositePairs)
        {
            bool Has(string s, string w) => s.Contains(" " + w + " ", StringComparison.Ordinal);
            if (Has(x, p) && !Has(x, q) && Has(y, q) && !Has(y, p) || Has(x, q) && !Has(x, p) && Has(y, p) && !Has(y, q))
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"\bcannot\b")] private static partial Regex CannotRegex();
    [GeneratedRegex(@"\bwon't\b")] private static partial Regex WontRegex();
    [GeneratedRegex(@"n't\b")] private static partial Regex NtRegex();
    [GeneratedRegex(@"[a-z0-9]+(?:'[a-z]+)?")] private static partial Regex WordRegex();
    [GeneratedRegex(@"\d+(?:[.,]\d+)*")] private static partial Regex NumberRegex();
    [GeneratedRegex("\"([^\"]*)\"")] private static partial Regex QuotedRegex();
    [GeneratedRegex(@"\s+")] private static partial Regex WhitespaceRegex();
    [GeneratedRegex(@"mb/s|km/h|[$€£]|[a-z]+|\d+")] private static partial Regex UnitTokenRegex();
    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'.\-]*[\p{L}\p{N}]|[\p{L}\p{N}]")] private static partial Regex RawWordRegex();
    [GeneratedRegex(@"^[\s""')]*[.!?]")] private static partial Regex EndOfSentenceRegex();
}
