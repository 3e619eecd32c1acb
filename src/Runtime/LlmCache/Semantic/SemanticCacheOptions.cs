using Microsoft.Extensions.AI;

namespace LlmCache;

/// <summary>Whether the semantic cache answers calls (<see cref="LlmCachedAttribute.Semantic"/>).</summary>
public enum SemanticMode
{
    /// <summary>A call whose exact key misses may be answered by a stored call that means the same.</summary>
    On,

    /// <summary>
    /// The would-be semantic hit is found and measured, but the method still answers: the similarity and
    /// whether the two answers agreed are recorded (<c>llmcache.semantic.shadow</c> and a log line), so a
    /// team can choose its threshold on its own traffic before turning the semantic cache on.
    /// </summary>
    Shadow,

    /// <summary>Semantic methods are cached exactly, like any other.</summary>
    Off,
}

/// <summary>The checks a semantic candidate must pass besides its similarity; each can be switched off.</summary>
[Flags]
public enum SemanticGuards
{
    /// <summary>No check beyond the similarity threshold.</summary>
    None = 0,

    /// <summary>
    /// The numbers in both texts agree: digits, also inside words ("#48213", "10kg", "Q1"), number words and
    /// ordinals ("2" and "two" agree, "2" and "3" do not). "One", "once" and "first" are not counted, nor
    /// "second" right after a number.
    /// </summary>
    Numbers = 1,

    /// <summary>
    /// Both texts hold as many negations ("can't", "cannot" and "can not" count one each), and neither has
    /// a word that is a word of the other with a negative prefix ("unsafe" and "safe"): "reset my password"
    /// never answers "not reset my password".
    /// </summary>
    Negations = 2,

    /// <summary>Quoted strings agree (an error message or a file name in quotes).</summary>
    Quotes = 4,

    /// <summary>
    /// Names agree: capitalised words (not at a sentence's start), words with digits or inner capitals
    /// found in one text must be found in the other, ignoring case, hyphens, dots and a plural ("Paris"
    /// never answers "Lyon"; "Wi-Fi" answers "wifi").
    /// </summary>
    Entities = 8,

    /// <summary>
    /// The best candidate must beat the best candidate with a different answer by
    /// <see cref="SemanticCacheOptions.Margin"/>: an ambiguous match is a miss.
    /// </summary>
    Margin = 16,

    /// <summary>
    /// Words of one kind agree where both texts use that kind: days, "this", "next" or "last" with a period
    /// ("next weekend"), months, seasons, periods, units, currencies, platforms, and opposite actions
    /// (upgrade/downgrade, import/export, cancel/pause, refund/charge …).
    /// </summary>
    Contrasts = 32,

    /// <summary>
    /// Texts made of the same words but one, swapped for another word ("connect the smart plug" and
    /// "connect the smart bulb", "buy a gift card" and "redeem a gift card"), ask different things: the
    /// swapped word is the whole question, and a similarity measured mostly on the shared words cannot
    /// tell a synonym from another subject. Function words ("do" and "can"), plurals, numbers and
    /// contrast words (their own guards) are not counted. Costs the paraphrases that swap one synonym
    /// ("package" and "parcel"): they miss, and are answered by the method.
    /// </summary>
    Substitutions = 64,

    /// <summary>Every guard (the default).</summary>
    All = Numbers | Negations | Quotes | Entities | Margin | Contrasts | Substitutions,
}

/// <summary>Options of the semantic cache (<see cref="LlmCachedAttribute.Semantic"/>).</summary>
public sealed class SemanticCacheOptions
{
    /// <summary>On, shadow or off. Default: on.</summary>
    public SemanticMode Mode { get; set; } = SemanticMode.On;

    /// <summary>
    /// The embedding generator that turns the compared text into a vector. When null, the one registered
    /// in the service collection that built the runtime is used; with neither, semantic methods are
    /// cached exactly (a warning is logged once). Its embeddings are themselves cached, exactly.
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>
    /// The cosine similarity at or above which a stored call answers, for methods whose attribute sets
    /// none. Default: 0.85, chosen on the project's evaluation set with every guard on (see the README).
    /// </summary>
    public double Similarity { get; set; } = 0.85;

    /// <summary>How far the best candidate must lead the best candidate with a different answer (<see cref="SemanticGuards.Margin"/>). Default: 0.02.</summary>
    public double Margin { get; set; } = 0.02;

    /// <summary>Which guards apply. Default: all.</summary>
    public SemanticGuards Guards { get; set; } = SemanticGuards.All;

    /// <summary>
    /// Where vectors are searched. When null, the embedded index: exact search in process, persisted
    /// and shared through the last tier that keeps a semantic log (the disk tier survives restarts, a
    /// Redis tier shares hits across a fleet).
    /// </summary>
    public ISemanticIndex? Index { get; set; }

    /// <summary>
    /// In shadow mode, decides whether the stored answer (first argument) and the method's fresh answer
    /// (second) agree. When null: equal text (ignoring case and spacing) for strings and chat responses,
    /// equal JSON otherwise. A team with a judge (another model, a rubric) plugs it in here.
    /// </summary>
    public Func<object?, object?, bool>? AnswersAgree { get; set; }

    /// <summary>The most entries the embedded index keeps per partition; the oldest go first. Default: 100,000.</summary>
    public int MaxEntriesPerPartition { get; set; } = 100_000;

    internal void Validate()
    {
        if (!(Similarity > 0 && Similarity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Similarity), Similarity, "Semantic.Similarity must be above 0 and at most 1.");
        }
        if (!(Margin >= 0 && Margin < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Margin), Margin, "Semantic.Margin must be at least 0 and below 1.");
        }
        if (MaxEntriesPerPartition < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntriesPerPartition), MaxEntriesPerPartition, "Semantic.MaxEntriesPerPartition must be positive.");
        }
    }
}
