using FirstParty.AspNetCore.Consent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Region codes and the choice of a regime for a region.</summary>
public sealed class RegionRulesTests
{
    [Theory]
    [InlineData("fr", "FR")]
    [InlineData("FR", "FR")]
    [InlineData(" fr ", "FR")]
    [InlineData("us_ca", "US-CA")]
    [InlineData("US-CA", "US-CA")]
    [InlineData("us-ca", "US-CA")]
    [InlineData("GB-ENG", "GB-ENG")]
    [InlineData("FR-75", "FR-75")]
    [InlineData("US-TOOLONG", "US")]
    [InlineData("US-", "US")]
    [InlineData("US-C!", "US")]
    public void Normalize_upper_cases_with_a_hyphen(string input, string expected)
        => Assert.Equal(expected, RegionRules.Normalize(input));

    [Theory]
    [InlineData("USA")]
    [InlineData("F")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("12")]
    [InlineData("F1")]
    [InlineData("-CA")]
    [InlineData("garbage")]
    [InlineData("U S")]
    [InlineData("é1")]
    [InlineData("USA-CA")]
    public void Normalize_returns_null_for_garbage(string? input)
        => Assert.Null(RegionRules.Normalize(input));

    [Theory]
    [InlineData("US", "CA", "US-CA")]
    [InlineData("us", " ca ", "US-CA")]
    [InlineData("US", null, "US")]
    [InlineData("US", "", "US")]
    [InlineData("US", "TOOLONG", "US")]
    [InlineData("US-NY", "CA", "US-NY")] // the combined header wins over the separate subdivision
    [InlineData("USA", "CA", null)]
    [InlineData(null, "CA", null)]
    public void Normalize_joins_a_separate_subdivision(string? country, string? subdivision, string? expected)
        => Assert.Equal(expected, RegionRules.Normalize(country, subdivision));

    private static Dictionary<string, ConsentRegime> Rules(params (string Key, ConsentRegime Regime)[] rules)
        => rules.ToDictionary(r => r.Key, r => r.Regime, StringComparer.Ordinal);

    [Fact]
    public void A_subdivision_entry_beats_its_country()
    {
        var rules = Rules(("US-CA", ConsentRegime.OptOut), ("US", ConsentRegime.Implied), ("*", ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.OptOut, RegionRules.Choose("US-CA", rules, ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose("US-NY", rules, ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose("US", rules, ConsentRegime.OptIn));
    }

    [Theory]
    [InlineData("FR")]
    [InlineData("DE")]
    [InlineData("NO")]
    [InlineData("IS")]
    [InlineData("LI")]
    [InlineData("FR-75")]
    public void EEA_members_use_the_EEA_entry(string region)
    {
        var rules = Rules(("EEA", ConsentRegime.OptOut), ("*", ConsentRegime.Implied));
        Assert.Equal(ConsentRegime.OptOut, RegionRules.Choose(region, rules, ConsentRegime.OptIn));
    }

    [Theory]
    [InlineData("CH")]
    [InlineData("GB")]
    [InlineData("US")]
    [InlineData("TR")]
    public void Countries_outside_the_EEA_skip_the_EEA_entry(string region)
    {
        var rules = Rules(("EEA", ConsentRegime.OptOut), ("*", ConsentRegime.Implied));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose(region, rules, ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.OptIn, RegionRules.Choose(region, Rules(("EEA", ConsentRegime.OptOut)), ConsentRegime.OptIn));
    }

    [Fact]
    public void A_country_entry_beats_the_EEA_group()
    {
        var rules = Rules(("EEA", ConsentRegime.OptIn), ("FR", ConsentRegime.Implied), ("*", ConsentRegime.OptOut));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose("FR", rules, ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose("FR-75", rules, ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.OptIn, RegionRules.Choose("DE", rules, ConsentRegime.OptOut));
    }

    [Fact]
    public void The_star_entry_beats_the_default()
    {
        Assert.Equal(ConsentRegime.OptOut, RegionRules.Choose("BR", Rules(("*", ConsentRegime.OptOut)), ConsentRegime.OptIn));
        Assert.Equal(ConsentRegime.OptOut, RegionRules.Choose(null, Rules(("*", ConsentRegime.OptOut)), ConsentRegime.OptIn));
    }

    [Fact]
    public void With_no_matching_entry_the_default_applies()
    {
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose("BR", Rules(("US", ConsentRegime.OptOut)), ConsentRegime.Implied));
        Assert.Equal(ConsentRegime.Implied, RegionRules.Choose(null, Rules(("US", ConsentRegime.OptOut), ("EEA", ConsentRegime.OptIn)), ConsentRegime.Implied));
        Assert.Equal(ConsentRegime.OptIn, RegionRules.Choose("FR", Rules(), ConsentRegime.OptIn));
    }

    [Fact]
    public void The_EEA_set_is_the_EU_27_plus_Iceland_Liechtenstein_and_Norway()
    {
        Assert.Equal(30, RegionRules.Eea.Count);
        Assert.Contains("IS", (IReadOnlySet<string>)RegionRules.Eea);
        Assert.Contains("LI", (IReadOnlySet<string>)RegionRules.Eea);
        Assert.Contains("NO", (IReadOnlySet<string>)RegionRules.Eea);
        Assert.DoesNotContain("GB", (IReadOnlySet<string>)RegionRules.Eea);
        Assert.DoesNotContain("CH", (IReadOnlySet<string>)RegionRules.Eea);
        Assert.All(RegionRules.Eea, code => Assert.Equal(code, RegionRules.Normalize(code)));
    }

    [Theory]
    [InlineData("fr", null, null, "FR")]
    [InlineData("us_ca", null, null, "US-CA")]
    [InlineData("US", "X-Sub", "ca", "US-CA")]
    [InlineData("nonsense", null, null, null)]
    [InlineData(null, null, null, null)]
    public void The_header_resolver_normalises_the_configured_headers(string? country, string? subdivisionHeader, string? subdivision, string? expected)
    {
        var options = new FirstPartyOptions();
        options.Consent.RegionHeader = "X-Region";
        options.Consent.SubdivisionHeader = subdivisionHeader;
        var resolver = new HeaderRegionResolver(Options.Create(options));
        var context = new DefaultHttpContext();
        if (country is not null)
        {
            context.Request.Headers["X-Region"] = country;
        }

        if (subdivisionHeader is not null)
        {
            context.Request.Headers[subdivisionHeader] = subdivision;
        }

        Assert.Equal(expected, resolver.ResolveRegion(context));
    }

    [Fact]
    public void The_header_resolver_without_a_configured_header_finds_no_region()
    {
        var resolver = new HeaderRegionResolver(Options.Create(new FirstPartyOptions()));
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Region"] = "FR";
        Assert.Null(resolver.ResolveRegion(context));
    }
}
