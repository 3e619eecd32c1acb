using CsCheck;
using Xunit;

namespace LlmCache.Semantic.Tests;

public sealed class SemanticFeaturesTests
{
    private static SemanticGuards? Disagreement(string stored, string query) =>
        SemanticFeatures.Of(query).Disagreement(SemanticFeatures.Of(stored), SemanticGuards.All);

    [Theory]
    [InlineData("Can I use my account on 2 devices?", "Can I use my account on two devices?")]
    [InlineData("Can I use the same account on two devices?", "Is it possible to use one account on 2 devices?")] // "one": a pronoun
    [InlineData("I can't log in to the portal", "I cannot log in to the portal")]
    [InlineData("I can't log in to the portal", "I can not log in to the portal")]
    [InlineData("My headphones won't pair with my laptop.", "My headphones will not pair with my laptop.")]
    [InlineData("Is the Berlin office open on Saturday?", "is the berlin office open on saturdays?")]
    [InlineData("How do I connect my printer to Wi-Fi?", "how do i get my printer on the wifi network")]
    [InlineData("Can I bring a 10 kg bag on board?", "Am I allowed a 10kg bag in the cabin?")]
    [InlineData("How do I set the timeout to 30 seconds in the SDK?", "How can I configure a 30 second timeout in the SDK?")]
    [InlineData("How do I add a second user to my team plan?", "How can I invite a 2nd member to my team plan?")]
    [InlineData("Is shipping free over $50?", "Is shipping free for orders over 50 dollars?")]
    [InlineData("Is the bag limit 10 pounds?", "Is the bag limit 10 lbs?")] // pounds: the weight here
    [InlineData("How do I install the app on a Mac?", "how do i install the app on my mac")] // function words swapped
    [InlineData("How do I verify my phone number?", "How can I confirm my phone number?")] // two words differ: a rewording
    [InlineData("Where can I download last month's invoice?", "I need the invoice for last month, where do I download it?")]
    [InlineData("The file \"Report.pdf\" won't open", "I can't open the file \"report.pdf\"")]
    public void Paraphrases_Agree(string stored, string query) => Assert.Null(Disagreement(stored, query));

    [Theory]
    [InlineData("Can I get a refund within 30 days?", "Can I get a refund within 60 days?", SemanticGuards.Numbers)]
    [InlineData("What is order 48213's status?", "What is order 48214's status?", SemanticGuards.Numbers)]
    [InlineData("Do you sell the Q1 report?", "Do you sell the Q2 report?", SemanticGuards.Numbers)]
    [InlineData("How do I reset my password?", "How do I not reset my password?", SemanticGuards.Negations)]
    [InlineData("Is it safe to share my API key?", "Is it unsafe to share my API key?", SemanticGuards.Negations)]
    [InlineData("Why do I see \"disk full\" when I save?", "Why do I see \"access denied\" when I save?", SemanticGuards.Quotes)]
    [InlineData("What is the weather in Paris this weekend?", "What is the weather in Lyon this weekend?", SemanticGuards.Entities)]
    [InlineData("How do I enable SSO on the Enterprise plan?", "How do I enable SSO on the Business plan?", SemanticGuards.Entities)]
    [InlineData("Is there maintenance this weekend?", "Is there maintenance next weekend?", SemanticGuards.Contrasts)]
    [InlineData("Can I get a refund for a purchase made yesterday?", "Can I get a refund for a purchase made last year?", SemanticGuards.Contrasts)]
    [InlineData("Do you have discounts in summer?", "Do you have discounts in winter?", SemanticGuards.Contrasts)]
    [InlineData("Set the timeout to 30 seconds.", "Set the timeout to 30 milliseconds.", SemanticGuards.Contrasts)]
    [InlineData("Is shipping free over 50 euros?", "Is shipping free over 50 pounds?", SemanticGuards.Contrasts)]
    [InlineData("Is the limit 120 km/h?", "Is the limit 120 mph?", SemanticGuards.Contrasts)]
    [InlineData("Will the 2-meter cable reach my TV?", "Will the 2-foot cable reach my TV?", SemanticGuards.Contrasts)]
    [InlineData("How do I upgrade my plan?", "How do I downgrade my plan?", SemanticGuards.Contrasts)]
    [InlineData("Can I connect the smart plug to my hub?", "Can I connect the smart bulb to my hub?", SemanticGuards.Substitutions)]
    public void NearMisses_DisagreeOnTheirGuard(string stored, string query, SemanticGuards guard)
    {
        Assert.Equal(guard, Disagreement(stored, query));
        Assert.Equal(guard, SemanticFeatures.Of(query).Disagreement(SemanticFeatures.Of(stored), guard)); // the guard alone refuses too
    }

    [Fact]
    public void Numbers_AreCanonical()
    {
        Assert.Equal("1000", SemanticFeatures.Of("1,000 requests").Numbers);
        Assert.Equal("19.99", SemanticFeatures.Of("it costs $19.99").Numbers);
        Assert.Equal("2.5", SemanticFeatures.Of("version 2.50").Numbers);
        Assert.Equal("3rd", SemanticFeatures.Of("the 3rd of May").Numbers);
        Assert.Equal("48213", SemanticFeatures.Of("order #48213").Numbers);
        Assert.Equal("", SemanticFeatures.Of("Use one account at once, first").Numbers);
    }

    [Theory]
    [InlineData("How do I reset my password?")]
    [InlineData("Why does \"a|b\" fail on 10kg, 1,000 $ and km/h next weekend in Paris? I can't tell.")]
    [InlineData("")]
    [InlineData("\u001f|\u001f \"\u001f|\" ''")]
    public void Decode_ReadsEncodeBack(string text)
    {
        SemanticFeatures features = SemanticFeatures.Of(text);
        SemanticFeatures decoded = Assert.IsType<SemanticFeatures>(SemanticFeatures.Decode(features.Encode()));
        Assert.Equal(features.Encode(), decoded.Encode());
        Assert.Null(decoded.Disagreement(features, SemanticGuards.All));
        Assert.Null(features.Disagreement(decoded, SemanticGuards.All));
    }

    [Fact]
    public void Decode_ReadsTheFormWithoutSequence_AndSkipsTheSubstitutionGuard()
    {
        SemanticFeatures old = Assert.IsType<SemanticFeatures>(SemanticFeatures.Decode("n:2|x:1|q:|e:|c:|w:can\u001fnot\u001f2"));
        Assert.Null(old.Sequence);
        Assert.Equal(1, old.Negations);
        Assert.Null(SemanticFeatures.Of("can not 2").Disagreement(old, SemanticGuards.All));
        Assert.Equal(SemanticGuards.Numbers, SemanticFeatures.Of("can not 3").Disagreement(old, SemanticGuards.All));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("n:|x:0|q:|e:|c:")]
    [InlineData("n:|x:0|q:|e:|c:|w:|s:|t:")]
    [InlineData("x:0|n:|q:|e:|c:|w:")]
    [InlineData("n:|x:yes|q:|e:|c:|w:")]
    [InlineData("n:|x:-1|q:|e:|c:|w:")]
    [InlineData("n:|x:99999|q:|e:|c:|w:")]
    [InlineData("n:|x:0|q:|e:|c:nocolon|w:")]
    [InlineData("n:|x:0|q:|e:|c:a:b|w:")]
    [InlineData("n:|x:0|q:|e:|c:3:|w:")]
    [InlineData("n:|x:0|q:|e:|c:|w:|z:forged")]
    public void Decode_RejectsAMalformedForm(string encoded) => Assert.Null(SemanticFeatures.Decode(encoded));

    private static readonly string[] Tokens =
    [
        "not", "can't", "cannot", "no", "2", "two", "one", "second", "30", "1,000", "10kg", "2-meter", "Q1", "#48213", "$", "£", "pounds",
        "euros", "km/h", "mph", "next", "last", "weekend", "month's", "Paris", "paris", "Wi-Fi", "wifi", "unsafe", "safe", "\"", "'", "`",
        "“", "”", ".", "?", ",", "|", "\u001f", ":", "x:1", "c:", "upgrade", "Saturday", "I", "smart", "plug", "bulb", "don't", "’",
    ];

    [Fact]
    public void Decode_ReadsEncodeBack_ForAnyText()
    {
        Gen<string> words = Gen.OneOf(Tokens).Array[0, 16].Select(Gen.OneOf(new[] { " ", "", "  " }), (w, gap) => string.Join(gap, w));
        Gen.OneOf(words, Gen.String[0, 40]).Sample(text =>
        {
            SemanticFeatures features = SemanticFeatures.Of(text);
            SemanticFeatures? decoded = SemanticFeatures.Decode(features.Encode());
            return decoded is not null && decoded.Encode() == features.Encode()
                && decoded.Disagreement(features, SemanticGuards.All) is null && features.Disagreement(decoded, SemanticGuards.All) is null;
        }, iter: 2000);
    }
}
