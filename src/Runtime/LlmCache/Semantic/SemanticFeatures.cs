using System.Globalization;
using System.Text;

namespace LlmCache;

/// <summary>
/// What two texts that mean the same must share, whatever their embeddings say: numbers, negations,
/// quoted strings, names, contrast words, and all their words but one (<see cref="SemanticGuards"/>).
/// Extracted once per stored text and kept in the index as one canonical string, so a candidate is
/// checked without its text.
/// </summary>
/// <remarks>
/// Canonical form: <c>n:&lt;numbers&gt;|x:&lt;negation count&gt;|q:&lt;quotes&gt;|e:&lt;names&gt;|c:&lt;contrast words&gt;|w:&lt;words&gt;|s:&lt;sequence&gt;</c>,
/// each list separated by <c>\u001f</c> (sorted, but for the sequence); <c>w</c> holds every lower-cased word,
/// so a name of one text can be looked for among the other's words whatever its case, and <c>s</c> the
/// words in their order, for <see cref="SemanticGuards.Substitutions"/>. A form without <c>s</c> (stored by
/// an earlier version, with <c>x</c> 0 or 1) is read too; the substitution guard then agrees.
/// </remarks>
internal sealed class SemanticFeatures
{
    private const char Separator = '\u001f';

    // Not counted: "one", "once" and "first", far more often a pronoun, "at once" or "first of all" than a
    // number ("use one account", "try it for free first"); "second" right after a number is the unit.
    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["thirteen"] = "13", ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17",
        ["eighteen"] = "18", ["nineteen"] = "19", ["twenty"] = "20", ["thirty"] = "30", ["forty"] = "40", ["fifty"] = "50",
        ["hundred"] = "100", ["thousand"] = "1000", ["million"] = "1000000", ["twice"] = "2", ["thrice"] = "3",
        ["second"] = "2nd", ["third"] = "3rd", ["fourth"] = "4th", ["fifth"] = "5th",
        ["half"] = "0.5", ["double"] = "x2", ["triple"] = "x3", ["dozen"] = "12",
    };

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "cant", "dont", "doesnt",
        "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "hasnt", "havent", "hadnt",
        "mustnt", "neednt", "unable",
    };

    // Groups of words that name different things of one kind (days, units, currencies, opposite
    // actions): when both texts use words of a group, they must use the same ones. Synonyms inside a
    // group share a canonical word ("km" and "kilometres"). A text without a word of the group says
    // nothing, and the similarity decides.
    private static readonly Dictionary<string, (int Group, string Canonical)[]> ContrastWords = BuildContrast(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend|weekends", "weekday|weekdays"],
        ["today", "tomorrow", "yesterday", "tonight"], // with "this", "next" and "last" before a period (RelativeGroup)
        ["january|jan", "february|feb", "march|mar", "april|apr", "june|jun", "july|jul", "august|aug", "september|sep|sept",
            "october|oct", "november|nov", "december|dec"],
        ["spring", "summer", "autumn", "winter"],
        ["daily|day|days", "weekly|week|weeks", "monthly|month|months", "yearly|annual|annually|year|years", "hourly|hour|hours",
            "minute|minutes|min|mins", "second|seconds|sec|secs", "ms|millisecond|milliseconds", "quarter|quarterly|quarters"],
        ["km|kilometer|kilometers|kilometre|kilometres|kmh|kph", "mile|miles|mph", "meter|meters|metre|metres", "foot|feet|ft",
            "inch|inches", "cm|centimeter|centimeters|centimetre|centimetres", "mm|millimeter|millimeters"],
        ["kg|kilogram|kilograms|kilo|kilos", "lb|lbs|pound|pounds", "gram|grams", "oz|ounce|ounces"],
        ["liter|liters|litre|litres", "gallon|gallons", "ml|milliliter|milliliters"],
        ["celsius", "fahrenheit"],
        ["kb|kilobyte|kilobytes", "mb|megabyte|megabytes", "gb|gigabyte|gigabytes", "tb|terabyte|terabytes"],
        ["usd|dollar|dollars|$", "eur|euro|euros|€", "gbp|£|sterling|pound|pounds", "jpy|yen|¥", "cad", "aud", "chf|franc|francs", "inr|rupee|rupees"],
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

    private static Dictionary<string, (int Group, string Canonical)[]> BuildContrast(params string[][] groups)
    {
        var words = new Dictionary<string, (int, string)[]>(StringComparer.Ordinal);
        for (int g = 0; g < groups.Length; g++)
        {
            foreach (string synonyms in groups[g])
            {
                string[] forms = synonyms.Split('|');
                foreach (string form in forms)
                {
                    // A word of two kinds ("pounds": money and weight) counts in both.
                    string key = form.Replace("-", "", StringComparison.Ordinal);
                    words[key] = words.TryGetValue(key, out (int, string)[]? known) ? [.. known, (g, forms[0])] : [(g, forms[0])];
                }
            }
        }
        return words;
    }

    // "this", "next" and "last" before a day, a period, a season or a month name a time of their own
    // ("next weekend", "last year"), in the group of "today" and "yesterday".
    private static readonly Dictionary<string, string> RelativeWords = new(StringComparer.Ordinal)
    {
        ["this"] = "this", ["current"] = "this", ["next"] = "next", ["coming"] = "next", ["upcoming"] = "next", ["last"] = "last",
        ["previous"] = "last", ["past"] = "last",
    };

    private static readonly int RelativeGroup = ContrastWords["today"][0].Group;

    private static readonly HashSet<int> PeriodGroups =
        [ContrastWords["monday"][0].Group, ContrastWords["week"][0].Group, ContrastWords["spring"][0].Group, ContrastWords["january"][0].Group];

    // Words that carry the question's form, not its subject: swapping one ("how do I" and "how can I")
    // is no substitution (SemanticGuards.Substitutions).
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "do", "does", "did", "can", "could", "would", "will", "should", "shall", "may", "might", "must", "i", "me", "my",
        "mine", "we", "us", "our", "you", "your", "it", "its", "this", "that", "these", "those", "is", "are", "was", "were", "be", "been",
        "am", "how", "what", "whats", "where", "when", "why", "which", "who", "please", "to", "for", "in", "on", "at", "of", "with", "from",
        "by", "and", "or", "so", "there", "here", "any", "some", "im", "ive", "id", "hi", "hello", "thanks", "thank",
    };

    // Prefixes that turn a word into its opposite ("safe" and "unsafe", "able" and "disable"), for the
    // negation guard; the rest of the word must be a word of its own (four letters at least).
    private static readonly string[] NegativePrefixes = ["un", "non", "dis", "in", "im", "il", "ir"];

    private SemanticFeatures(string numbers, int negations, string quotes, string names, string contrasts, HashSet<string> words,
        string[]? sequence)
    {
        Sequence = sequence;
        Contrasts = contrasts;
        Numbers = numbers;
        Negations = negations;
        Quotes = quotes;
        Names = names;
        Words = words;
    }

    /// <summary>The numbers, normalised ("two" is "2", "1,000" is "1000", "10kg" is "10"), sorted.</summary>
    public string Numbers { get; }

    /// <summary>How many negations the text holds ("not", "no", "never", "can't", "cannot" …).</summary>
    public int Negations { get; }

    /// <summary>Whether the text is negated.</summary>
    public bool Negated => Negations > 0;

    /// <summary>The quoted strings, lower-cased, sorted.</summary>
    public string Quotes { get; }

    /// <summary>The names (see <see cref="SemanticGuards.Entities"/>), lower-cased, without hyphens and dots, sorted.</summary>
    public string Names { get; }

    /// <summary>The contrast words, as <c>group:canonical</c>, sorted.</summary>
    public string Contrasts { get; }

    /// <summary>The words in their order, lower-cased; null when read from an entry stored without it.</summary>
    public string[]? Sequence { get; }

    /// <summary>Every word, lower-cased (with and without its hyphens and dots).</summary>
    public HashSet<string> Words { get; }

    /// <summary>Extracts the features of one text.</summary>
    public static SemanticFeatures Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var numbers = new List<string>();
        var quotes = new SortedSet<string>(StringComparer.Ordinal);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var contrasts = new SortedSet<string>(StringComparer.Ordinal);
        var sequence = new List<string>();
        int negations = 0;

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
                // Spacing aside; the encoded form's own separators are replaced.
                string quoted = string.Join(' ', text[(i + 1)..end].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
                quotes.Add(quoted.Replace('|', '\u00a6').Replace(Separator, ' '));
                i = end;
            }
        }

        // Words: letters, digits and inner '.', ',', '\'', '-', '/' (a number, "don't", "v2.1", "km/h").
        bool sentenceStart = true;
        string? relative = null; // "next", when the previous word was "next"
        bool afterNumber = false;
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
                else if (c is '$' or '€' or '£' or '¥')
                {
                    AddContrasts(c.ToString(), contrasts);
                }
                at++;
                continue;
            }
            int start = at;
            while (at < text.Length && (char.IsLetterOrDigit(text[at])
                || (text[at] is '.' or ',' or '\'' or '\u2019' or '-' or '/' && at + 1 < text.Length && char.IsLetterOrDigit(text[at + 1])
                    && !(text[at] == ',' && !char.IsDigit(text[at + 1])) && !(text[at] == '.' && !char.IsDigit(text[at + 1]) && char.IsDigit(text[start])))))
            {
                at++;
            }
            string word = text[start..at];
            string lower = word.ToLowerInvariant().Replace("\u2019", "'", StringComparison.Ordinal);
            string plain = lower.Replace("'", "", StringComparison.Ordinal);
            string key = Key(plain);
            foreach (string part in plain.Split('-', '/'))
            {
                if (part.Length > 0)
                {
                    words.Add(part);
                }
            }
            words.Add(plain);
            words.Add(key);
            sequence.Add(plain);

            if (Negators.Contains(plain) || lower.EndsWith("n't", StringComparison.Ordinal))
            {
                negations++;
            }

            bool number = false;
            string? unit = null;
            if (plain == "second" && afterNumber)
            {
                unit = plain; // "30 second timeout": the unit
            }
            else if (NumberWords.TryGetValue(plain, out string? spelled))
            {
                numbers.Add(spelled);
                number = true;
            }
            else if (word.Any(char.IsDigit))
            {
                number = AddNumbers(plain, numbers, out unit) && char.IsDigit(word[0]);
            }

            bool capitalised = char.IsUpper(word[0]) && !sentenceStart && word != "I";
            bool innerCapital = word.Skip(1).Any(char.IsUpper);
            bool contrast = !(plain == "second" && !afterNumber) && AddContrasts(unit ?? plain, contrasts);
            if (relative is not null && ContrastsOf(plain) is { } period && period.Any(p => PeriodGroups.Contains(p.Group)))
            {
                string canonical = period.First(p => PeriodGroups.Contains(p.Group)).Canonical;
                contrasts.Add(RelativeGroup.ToString(CultureInfo.InvariantCulture) + ":" + relative + "-" + canonical);
            }
            if ((capitalised || innerCapital || !contrast && char.IsLetter(word[0]) && word.Any(char.IsDigit)) && !NumberWords.ContainsKey(plain)
                && key.Length > 0)
            {
                names.Add(key);
            }
            relative = RelativeWords.GetValueOrDefault(plain);
            afterNumber = number;
            sentenceStart = false;
        }
        numbers.Sort(StringComparer.Ordinal);
        return new SemanticFeatures(string.Join(Separator, numbers), negations, string.Join(Separator, quotes), string.Join(Separator, names),
            string.Join(Separator, contrasts), words, [.. sequence]);
    }

    /// <summary>A word compared without case, hyphens and dots ("Wi-Fi" and "wifi", "U.S." and "us").</summary>
    private static string Key(string plain) => plain.Replace("-", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);

    /// <summary>The groups of a contrast word, trying its singular too ("saturdays").</summary>
    private static (int Group, string Canonical)[]? ContrastsOf(string plain)
    {
        string key = plain.Replace("-", "", StringComparison.Ordinal).Replace("/", "", StringComparison.Ordinal); // "km/h"
        if (ContrastWords.TryGetValue(key, out (int Group, string Canonical)[]? found))
        {
            return found;
        }
        return key.Length > 3 && key[^1] == 's' && ContrastWords.TryGetValue(key[..^1], out found) ? found : null;
    }

    private static bool AddContrasts(string plain, SortedSet<string> contrasts)
    {
        if (ContrastsOf(plain) is not { } found)
        {
            return false;
        }
        foreach ((int group, string canonical) in found)
        {
            contrasts.Add(group.ToString(CultureInfo.InvariantCulture) + ":" + canonical);
        }
        return true;
    }

    /// <summary>
    /// The numbers in a word with digits: the whole word when it is a number ("1,000" → "1000", "2.50" →
    /// "2.5") or an ordinal ("3rd"); otherwise each run of digits ("10kg" → "10", "Q1" → "1", "#48213"),
    /// with the letters after a leading number as its unit ("10kg": "kg").
    /// </summary>
    private static bool AddNumbers(string plain, List<string> numbers, out string? unit)
    {
        unit = null;
        string digits = plain.Replace(",", "", StringComparison.Ordinal);
        if (decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            numbers.Add(Canonical(value));
            return true;
        }
        int i = 0;
        while (i < digits.Length && (char.IsDigit(digits[i]) || digits[i] == '.' && i + 1 < digits.Length && char.IsDigit(digits[i + 1])))
        {
            i++;
        }
        if (i > 0 && digits[i..] is "st" or "nd" or "rd" or "th")
        {
            numbers.Add(Canonical(digits[..i]) + digits[i..]);
            return true;
        }
        if (i > 0 && digits[i..].TrimStart('-') is { Length: > 0 } suffix && suffix.All(char.IsLetter))
        {
            unit = suffix; // "10kg", "2-meter"
        }
        bool any = false;
        for (int run = 0; run < digits.Length;)
        {
            if (!char.IsDigit(digits[run]))
            {
                run++;
                continue;
            }
            int end = run;
            while (end < digits.Length && (char.IsDigit(digits[end]) || digits[end] == '.' && end + 1 < digits.Length && char.IsDigit(digits[end + 1])))
            {
                end++;
            }
            numbers.Add(Canonical(digits[run..end]));
            any = true;
            run = end;
        }
        return any;
    }

    private static string Canonical(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>Digits in canonical form; as written when they are no decimal (too long, or digits of another script).</summary>
    private static string Canonical(string digits) =>
        decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value) ? Canonical(value) : digits;

    /// <summary>The canonical string kept in the index.</summary>
    public string Encode()
    {
        var text = new StringBuilder();
        text.Append("n:").Append(Numbers).Append("|x:").Append(Negations.ToString(CultureInfo.InvariantCulture)).Append("|q:").Append(Quotes).Append("|e:").Append(Names).Append("|c:").Append(Contrasts).Append("|w:");
        text.AppendJoin(Separator, Words.Order(StringComparer.Ordinal));
        if (Sequence is not null)
        {
            text.Append("|s:").AppendJoin(Separator, Sequence);
        }
        return text.ToString();
    }

    /// <summary>Reads <see cref="Encode"/>'s form back; null when it is not one.</summary>
    public static SemanticFeatures? Decode(string encoded)
    {
        string[] parts = encoded.Split('|');
        if (parts.Length is not (6 or 7) || parts.Length == 7 && !parts[6].StartsWith("s:", StringComparison.Ordinal) || !parts[0].StartsWith("n:", StringComparison.Ordinal) || !parts[1].StartsWith("x:", StringComparison.Ordinal)
            || !parts[2].StartsWith("q:", StringComparison.Ordinal) || !parts[3].StartsWith("e:", StringComparison.Ordinal)
            || !parts[4].StartsWith("c:", StringComparison.Ordinal) || !parts[5].StartsWith("w:", StringComparison.Ordinal))
        {
            return null;
        }
        if (!int.TryParse(parts[1].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int negations) || negations > 1000)
        {
            return null;
        }
        string contrasts = parts[4][2..];
        if (contrasts.Length > 0)
        {
            foreach (string item in contrasts.Split(Separator))
            {
                int colon = item.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || colon == item.Length - 1 || !int.TryParse(item.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return null;
                }
            }
        }
        var words = new HashSet<string>(parts[5][2..].Split(Separator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        string[]? sequence = parts.Length == 7 ? parts[6][2..].Split(Separator, StringSplitOptions.RemoveEmptyEntries) : null;
        return new SemanticFeatures(parts[0][2..], negations, parts[2][2..], parts[3][2..], contrasts, words, sequence);
    }

    /// <summary>Which enabled guard (<paramref name="guards"/>) the two texts disagree on, or null when they agree on all.</summary>
    public SemanticGuards? Disagreement(SemanticFeatures other, SemanticGuards guards)
    {
        if ((guards & SemanticGuards.Numbers) != 0 && Numbers != other.Numbers)
        {
            return SemanticGuards.Numbers;
        }
        if ((guards & SemanticGuards.Negations) != 0 && (Negations != other.Negations || Negates(other) || other.Negates(this)))
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
        if ((guards & SemanticGuards.Substitutions) != 0 && Substituted(other))
        {
            return SemanticGuards.Substitutions;
        }
        return null;
    }

    /// <summary>
    /// Whether the two texts are the same words in the same order but one, swapped for a word that is
    /// not a form of it (a plural, a number written otherwise, a synonym of a contrast group).
    /// </summary>
    private bool Substituted(SemanticFeatures other)
    {
        if (Sequence is not { } mine || other.Sequence is not { } theirs || mine.Length != theirs.Length)
        {
            return false;
        }
        int swapped = -1;
        for (int i = 0; i < mine.Length; i++)
        {
            if (mine[i] != theirs[i])
            {
                if (swapped >= 0)
                {
                    return false; // two words or more differ: a rewording, left to the similarity
                }
                swapped = i;
            }
        }
        return swapped >= 0 && !SameWord(mine[swapped], theirs[swapped]);
    }

    /// <summary>
    /// Two forms of one word (plural, hyphens, a number written otherwise: "2" and "two", synonyms of one
    /// contrast group), two function words ("a Mac" and "my Mac") or two negations ("can't" and "cannot": the
    /// negation guard counts them).
    /// </summary>
    private static bool SameWord(string a, string b)
    {
        string x = Key(a), y = Key(b);
        if (x == y || x + "s" == y || y + "s" == x || x + "es" == y || y + "es" == x || FunctionWords.Contains(x) && FunctionWords.Contains(y)
            || Negators.Contains(x) && Negators.Contains(y))
        {
            return true;
        }
        if (NumberOf(x) is { } m && m == NumberOf(y))
        {
            return true;
        }
        return ContrastsOf(x) is { } p && ContrastsOf(y) is { } q && p.Any(g => q.Contains(g));
    }

    private static string? NumberOf(string word)
    {
        if (NumberWords.TryGetValue(word, out string? spelled))
        {
            return spelled;
        }
        var numbers = new List<string>();
        return word.Length > 0 && char.IsDigit(word[0]) && AddNumbers(word, numbers, out _) ? string.Join(Separator, numbers) : null;
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

    /// <summary>Whether a word of this text is a word of the other's with a negative prefix ("unsafe" and "safe", "disable" and "able").</summary>
    private bool Negates(SemanticFeatures other)
    {
        foreach (string word in Words)
        {
            foreach (string prefix in NegativePrefixes)
            {
                if (word.Length >= prefix.Length + 4 && word.StartsWith(prefix, StringComparison.Ordinal) && !other.Words.Contains(word)
                    && other.Words.Contains(word[prefix.Length..]) && !Words.Contains(word[prefix.Length..]))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private bool NamesFoundIn(SemanticFeatures other)
    {
        if (Names.Length == 0)
        {
            return true;
        }
        foreach (string name in Names.Split(Separator))
        {
            // A plural names the same ("Saturday" and "Saturdays").
            if (!other.Words.Contains(name) && !other.Words.Contains(name + "s") && !(name.Length > 3 && name[^1] == 's' && other.Words.Contains(name[..^1])))
            {
                return false;
            }
        }
        return true;
    }
}
