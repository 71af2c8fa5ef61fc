using FirstParty.AspNetCore.Consent;
using System.Globalization;
using System.Resources;
using FirstParty.AspNetCore.TagHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The built-in texts of the banner, placeholders and cookie table exist in every shipped language.</summary>
public sealed class ConsentUiTextsTests
{
    public static TheoryData<string, string> ResourcesAndCultures()
    {
        var data = new TheoryData<string, string>();
        foreach (var resource in new[] { "Consent.ConsentUiTexts", "TagHelpers.ConsentTagHelper", "TagHelpers.CookieTableTagHelper", "Consent.ConsentTexts" })
        {
            foreach (var culture in new[] { "fr", "de", "es", "it", "nl", "pl", "pt" })
            {
                data.Add(resource, culture);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ResourcesAndCultures))]
    public void Every_built_in_text_is_translated(string resource, string culture)
    {
        var manager = new ResourceManager($"FirstParty.AspNetCore.Resources.{resource}", typeof(ConsentUiTexts).Assembly);
        var neutral = Keys(manager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false));
        var translated = Keys(manager.GetResourceSet(CultureInfo.GetCultureInfo(culture), createIfNotExists: true, tryParents: false));

        Assert.NotEmpty(neutral);
        Assert.Equal(neutral, translated);
    }

    [Fact]
    public void The_names_the_validator_accepts_are_exactly_the_built_in_texts()
    {
        var manager = new ResourceManager("FirstParty.AspNetCore.Resources.Consent.ConsentUiTexts", typeof(ConsentUiTexts).Assembly);
        var neutral = Keys(manager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false));

        Assert.Equal(neutral, ConsentUiTexts.Names.Order(StringComparer.Ordinal).ToArray());
    }

    private static string[] Keys(ResourceSet? set)
    {
        Assert.NotNull(set);
        return [.. set.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).Order(StringComparer.Ordinal)];
    }
}
