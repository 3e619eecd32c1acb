using System.Globalization;
using System.Text;

namespace LlmCache;

/// <summary>
/// What two texts that mean the same must share, whatever their embeddings say: numbers, negation,
/// quoted strings and names (<see cref="SemanticGuards"/>). Extracted once per stored text and kept in
/// the index as one canonical string, so a candidate is checked without its text.
/// </summary>
/// <remarks>
/// Canonical form: <c>n:&lt;numbers&gt;|x:&lt;0 or 1&gt;|q:&lt;quotes&gt;|e:&lt;names&gt;|c:&lt;contrast words&gt;|w:&lt;words&gt;</c>, each list
/// sorted and separated by <c>\u001f</c>; <c>w</c> holds every lower-cased word, so a name of one text can
/// be looked for among the other's words whatever its case.
/// </remarks>
internal sealed class SemanticFeatures
{
    private const char Separator = '\u001f';

    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["thirteen"] = "13", ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17",
        ["eighteen"] = "18", ["nineteen"] = "19", ["twenty"] = "20", ["thirty"] = "30", ["forty"] = "40", ["fifty"] = "50",
        ["hundred"] = "100", ["thousand"] = "1000", ["million"] = "1000000", ["once"] = "1", ["twice"] = "2",
        ["first"] = "1st", ["second"] = "2nd", ["third"] = "3rd", ["fourth"] = "4th", ["fifth"] = "5th",
        ["half"] = "0.5", ["double"] = "x2", ["triple"] = "x3", ["dozen"] = "12",
    };

    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "cant", "dont", "doesnt",
        "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "hasnt", "havent", "hadnt",
        "mustnt", "neednt", "unable",
    };

    // Groups of words that name different things of one kind (days, units, currencies, opposite
    // actions): when both texts use words of a group, they must use the same ones. Synonyms inside a
    // group share a canonical word ("km" and "kilometres"). A text without a word of the group says
    // nothing, and the similarity decides.
    private static readonly Dictionary<string, (int Group, string Canonical)> ContrastWords = BuildContrast(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend|weekends", "weekday|weekdays"],
        ["today", "tomorrow", "yesterday", "tonight"],
        ["january|jan", "february|feb", "march|mar", "april|apr", "june|jun", "july|jul", "august|aug", "september|sep|sept",
            "october|oct", "november|nov", "december|dec"],
        ["daily|day|days", "weekly|week|weeks", "monthly|month|months", "yearly|annual|annually|year|years", "hourly|hour|hours",
            "minute|minutes|min|mins", "second|seconds|sec|secs"],
        ["km|kilometer|kilometers|kilometre|kilometres", "mile|miles", "meter|meters|metre|metres", "foot|feet|ft",
            "inch|inches", "cm|centimeter|centimeters|centimetre|centimetres", "mm|millimeter|millimeters"],
        ["kg|kilogram|kilograms|kilo|kilos", "lb|lbs|pound|pounds", "gram|grams", "oz|ounce|ounces"],
        ["liter|liters|litre|litres", "gallon|gallons", "ml|milliliter|milliliters"],
        ["celsius", "fahrenheit"],
        ["kb|kilobyte|kilobytes", "mb|megabyte|megabytes", "gb|gigabyte|gigabytes", "tb|terabyte|terabytes"],
        ["usd|dollar|dollars|$", "eur|euro|euros|€", "gbp|£|sterling", "jpy|yen|¥", "cad", "aud", "chf|franc|francs", "inr|rupee|rupees"],
        ["upgrade|upgrading|upgraded", "downgrade|downgrading|downgraded"],
        ["import|importing|imported", "export|exporting|exported"],
        ["upload|uploading|uploaded", "download|downloading|downloaded"],
        ["enable|enabling|enabled|activate|turn-on", "disable|disabling|disabled|deactivate|turn-off"],
        ["increase|increasing|raise|raising|higher", "decrease|decreasing|lower|lowering|reduce|reducing"],
        ["encrypt|encrypting|encrypted|encryption", "decrypt|decrypting|decrypted|decryption"],
        ["login|log-in|signin|sign-in", "logout|log-out|signout|sign-out"],
        ["subscribe|subscribing", "unsubscribe|unsubscribing"],
        ["lock|locking", "unlock|unlocking"],
        ["before", "after"],
        ["more", "less|fewer"],
        ["minimum", "maximum|max"],
        ["first|earliest|oldest", "last|latest|newest|most-recent"],
        ["open|opening", "close|closing"],
        ["buy|buying|purchase|purchasing", "sell|selling"],
        ["send|sending|sent", "receive|receiving|received|get"],
        ["inbound|incoming", "outbound|outgoing"],
        ["public", "private"],
        ["free", "paid|premium"],
        ["personal|individual", "business|company|team|enterprise"],
        ["domestic|national", "international|abroad|overseas"],
        ["cancel|cancelling|canceling|cancellation|terminate", "pause|pausing|suspend|suspending", "resume|resuming|reactivate",
            "renew|renewing|renewal"],
        ["refund|refunds|refunded", "charge|charged|charges|bill|billed"],
        ["add|adding", "remove|removing"],
        ["create|creating", "delete|deleting"],
        ["join|joining", "leave|leaving"],
        ["windows", "mac|macos|osx", "linux|ubuntu", "android", "ios|iphone|ipad"],
        ["chrome", "firefox", "safari", "edge"],
        ["north|northern", "south|southern", "east|eastern", "west|western"],
        ["left", "right"],
        ["adult|adults", "child|children|kid|kids|minor|minors", "student|students", "senior|seniors"],
        ["admin|administrator|owner", "member|user|guest|viewer"]);

    private static Dictionary<string, (int Group, string Canonical)> BuildContrast(params string[][] groups)
    {
        var words = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        for (int g = 0; g < groups.Length; g++)
        {
            foreach (string synonyms in groups[g])
            {
                string[] forms = synonyms.Split('|');
                foreach (string form in forms)
                {
                    words[form.Replace("-", "", StringComparison.Ordinal)] = (g, forms[0]);
                }
            }
        }
        return words;
    }

    private SemanticFeatures(string numbers, bool negated, string quotes, string names, string contrasts, HashSet<string> words)
    {
        Contrasts = contrasts;
        Numbers = numbers;
        Negated = negated;
        Quotes = quotes;
        Names = names;
        Words = words;
    }

    /// <summary>The numbers, normalised ("two" is "2", "1,000" is "1000"), sorted.</summary>
    public string Numbers { get; }

    /// <summary>Whether the text is negated.</summary>
    public bool Negated { get; }

    /// <summary>The quoted strings, lower-cased, sorted.</summary>
    public string Quotes { get; }

    /// <summary>The names (see <see cref="SemanticGuards.Entities"/>), lower-cased, sorted.</summary>
    public string Names { get; }

    /// <summary>The contrast words, as <c>group:canonical</c>, sorted.</summary>
    public string Contrasts { get; }

    /// <summary>Every word, lower-cased.</summary>
    public HashSet<string> Words { get; }

    /// <summary>Extracts the features of one text.</summary>
    public static SemanticFeatures Of(string text)
    {
        var numbers = new List<string>();
        var quotes = new SortedSet<string>(StringComparer.Ordinal);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var contrasts = new SortedSet<string>(StringComparer.Ordinal);
        bool negated = false;

        // Quoted strings: "…", “…”, '…' (not an apostrophe inside a word), `…`.
        for (int i = 0; i < text.Length; i++)
        {
            char open = text[i];
            char close = open switch { '"' => '"', '\u201c' => '\u201d', '`' => '`', '\'' => '\'', '\u2018' => '\u2019', _ => '\0' };
            if (close == '\0' || (open is '\'' or '\u2018' && i > 0 && char.IsLetterOrDigit(text[i - 1])))
            {
                continue;
            }
            int end = text.IndexOf(close, i + 1);
            while (end > 0 && close is '\'' or '\u2019' && end + 1 < text.Length && char.IsLetter(text[end + 1]))
            {
                end = text.IndexOf(close, end + 1); // an apostrophe inside the quote ("don't")
            }
            if (end > i + 1)
            {
                quotes.Add(text[(i + 1)..end].Trim().ToLowerInvariant());
                i = end;
            }
        }

        // Words: letters, digits and inner '.', ',', '\'' (a number, "don't", "v2.1").
        bool sentenceStart = true;
        int at = 0;
        while (at < text.Length)
        {
            char c = text[at];
            if (!char.IsLetterOrDigit(c))
            {
                if (c is '.' or '?' or '!' or ':' or ';' or '\n')
                {
                    sentenceStart = true;
                }
                else if (c is '$' or '€' or '£' or '¥' or '%')
                {
                    if (ContrastWords.TryGetValue(c.ToString(), out (int Group, string Canonical) symbol))
                    {
                        contrasts.Add(symbol.Group.ToString(CultureInfo.InvariantCulture) + ":" + symbol.Canonical);
                    }
                }
                at++;
                continue;
            }
            int start = at;
            while (at < text.Length && (char.IsLetterOrDigit(text[at])
                || (text[at] is '.' or ',' or '\'' or '\u2019' or '-' && at + 1 < text.Length && char.IsLetterOrDigit(text[at + 1])
                    && !(text[at] == ',' && !char.IsDigit(text[at + 1])) && !(text[at] == '.' && !char.IsDigit(text[at + 1]) && char.IsDigit(text[start])))))
            {
                at++;
            }
            string word = text[start..at];
            string lower = word.ToLowerInvariant().Replace("\u2019", "'", StringComparison.Ordinal);
            string plain = lower.Replace("'", "", StringComparison.Ordinal);
            foreach (string part in plain.Split('-'))
            {
                if (part.Length > 0)
                {
                    words.Add(part);
                }
            }
            words.Add(plain);

            if (Negations.Contains(plain) || plain.EndsWith("nt", StringComparison.Ordinal) && lower.EndsWith("n't", StringComparison.Ordinal))
            {
                negated = true;
            }
            if (NumberWords.TryGetValue(plain, out string? number))
            {
                numbers.Add(number);
            }
            else if (char.IsDigit(word[0]) && Number(word) is { } parsed)
            {
                numbers.Add(parsed);
            }
            bool hasDigit = word.Any(char.IsDigit);
            bool innerCapital = word.Skip(1).Any(char.IsUpper);
            bool capitalised = char.IsUpper(word[0]) && !sentenceStart && word != "I";
            if (ContrastWords.TryGetValue(plain.Replace("-", "", StringComparison.Ordinal), out (int Group, string Canonical) contrast))
            {
                contrasts.Add(contrast.Group.ToString(CultureInfo.InvariantCulture) + ":" + contrast.Canonical);
            }
            else if ((capitalised || innerCapital || hasDigit && char.IsLetter(word[0])) && !NumberWords.ContainsKey(plain))
            {
                names.Add(plain);
            }
            sentenceStart = false;
        }
        numbers.Sort(StringComparer.Ordinal);
        return new SemanticFeatures(string.Join(Separator, numbers), negated, string.Join(Separator, quotes), string.Join(Separator, names),
            string.Join(Separator, contrasts), words);
    }

    /// <summary>A number in canonical form ("1,000" → "1000", "2.50" → "2.5"), or the word as written when it is not only a number ("3rd", "v2").</summary>
    private static string? Number(string word)
    {
        string digits = word.Replace(",", "", StringComparison.Ordinal);
        if (decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return value.ToString("0.############", CultureInfo.InvariantCulture);
        }
        return digits.ToLowerInvariant();
    }

    /// <summary>The canonical string kept in the index.</summary>
    public string Encode()
    {
        var text = new StringBuilder();
        text.Append("n:").Append(Numbers).Append("|x:").Append(Negated ? '1' : '0').Append("|q:").Append(Quotes).Append("|e:").Append(Names).Append("|c:").Append(Contrasts).Append("|w:");
        text.AppendJoin(Separator, Words.Order(StringComparer.Ordinal));
        return text.ToString();
    }

    /// <summary>Reads <see cref="Encode"/>'s form back; null when it is not one.</summary>
    public static SemanticFeatures? Decode(string encoded)
    {
        string[] parts = encoded.Split('|');
        if (parts.Length != 6 || !parts[0].StartsWith("n:", StringComparison.Ordinal) || !parts[1].StartsWith("x:", StringComparison.Ordinal)
            || !parts[2].StartsWith("q:", StringComparison.Ordinal) || !parts[3].StartsWith("e:", StringComparison.Ordinal)
            || !parts[4].StartsWith("c:", StringComparison.Ordinal) || !parts[5].StartsWith("w:", StringComparison.Ordinal))
        {
            return null;
        }
        var words = new HashSet<string>(parts[5][2..].Split(Separator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        return new SemanticFeatures(parts[0][2..], parts[1] == "x:1", parts[2][2..], parts[3][2..], parts[4][2..], words);
    }

    /// <summary>Which enabled guard (<paramref name="guards"/>) the two texts disagree on, or null when they agree on all.</summary>
    public SemanticGuards? Disagreement(SemanticFeatures other, SemanticGuards guards)
    {
        if ((guards & SemanticGuards.Numbers) != 0 && Numbers != other.Numbers)
        {
            return SemanticGuards.Numbers;
        }
        if ((guards & SemanticGuards.Negations) != 0 && Negated != other.Negated)
        {
            return SemanticGuards.Negations;
        }
        if ((guards & SemanticGuards.Quotes) != 0 && Quotes != other.Quotes)
        {
            return SemanticGuards.Quotes;
        }
        if ((guards & SemanticGuards.Entities) != 0 && !(NamesFoundIn(other) && other.NamesFoundIn(this)))
        {
            return SemanticGuards.Entities;
        }
        if ((guards & SemanticGuards.Contrasts) != 0 && !ContrastsAgree(Contrasts, other.Contrasts))
        {
            return SemanticGuards.Contrasts;
        }
        return null;
    }

    /// <summary>For every group both texts use, the same words of it.</summary>
    private static bool ContrastsAgree(string mine, string theirs)
    {
        if (mine == theirs || mine.Length == 0 || theirs.Length == 0)
        {
            return true;
        }
        var a = Grouped(mine);
        var b = Grouped(theirs);
        foreach ((string group, SortedSet<string> words) in a)
        {
            if (b.TryGetValue(group, out SortedSet<string>? other) && !words.SetEquals(other))
            {
                return false;
            }
        }
        return true;
    }

    private static Dictionary<string, SortedSet<string>> Grouped(string contrasts)
    {
        var groups = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (string item in contrasts.Split(Separator))
        {
            int colon = item.IndexOf(':', StringComparison.Ordinal);
            string group = item[..colon];
            if (!groups.TryGetValue(group, out SortedSet<string>? words))
            {
                groups[group] = words = new SortedSet<string>(StringComparer.Ordinal);
            }
            words.Add(item[(colon + 1)..]);
        }
        return groups;
    }

    private bool NamesFoundIn(SemanticFeatures other)
    {
        if (Names.Length == 0)
        {
            return true;
        }
        foreach (string name in Names.Split(Separator))
        {
            if (!other.Words.Contains(name))
            {
                return false;
            }
        }
        return true;
    }
}
