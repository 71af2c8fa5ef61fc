using System.Globalization;
using FirstParty.AspNetCore.Diagnostics;

namespace FirstParty.AspNetCore.Tests.Diagnostics;

/// <summary>Tag values stay few (bounded series) and are made once, not per request.</summary>
public sealed class MetricTagsTests
{
    [Theory]
    [InlineData("DE", "DE")]
    [InlineData("US-CA", "US")]
    [InlineData("US-NY", "US")]
    [InlineData(null, "unknown")]
    [InlineData("", "unknown")]
    [InlineData("D", "unknown")]
    [InlineData("DEU", "unknown")]
    [InlineData("de", "unknown")]
    [InlineData("1A", "unknown")]
    public void A_region_is_reduced_to_its_country(string? region, string expected)
        => Assert.Equal(expected, MetricTags.Region(region));

    [Fact]
    public void The_same_country_is_the_same_string_every_time()
        => Assert.Same(MetricTags.Region("FR"), MetricTags.Region(new string(['F', 'R', '-', 'I', 'D', 'F'])));

    [Fact]
    public void Revisions_and_flags_are_boxed_once()
    {
        Assert.Same(MetricTags.Revision(3), MetricTags.Revision(3));
        Assert.Equal(3, MetricTags.Revision(3));
        Assert.Equal(100_000, MetricTags.Revision(100_000));
        Assert.Same(MetricTags.Flag(true), MetricTags.Flag(true));
        Assert.Equal(false, MetricTags.Flag(false));
    }

    [Fact]
    public void The_language_is_the_culture_name_or_und()
    {
        Assert.Equal("fr-FR", MetricTags.Language(CultureInfo.GetCultureInfo("fr-FR")));
        Assert.Equal("und", MetricTags.Language(CultureInfo.InvariantCulture));
    }
}
