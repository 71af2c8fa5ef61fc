using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.OutputCaching;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.OutputCaching;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary>The cache key of pages rendered by the consent tag helpers: one entry per consent state.</summary>
public sealed class ConsentOutputCachePolicyTests : IDisposable
{
    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private string Fingerprint(ConsentRegime regime, ConsentRecord? current, bool gpc = false, ConsentRecord? previous = null)
        => ConsentOutputCachePolicy.Fingerprint(new ConsentFeature(_test.Policy, current, previous, regime, null, gpc), _test.Policy);

    [Fact]
    public void Equal_states_have_equal_fingerprints()
    {
        // Different consent ids and decision times, same answers.
        var first = _test.Decision("analytics", "marketing/youtube");
        _test.Time.Advance(TimeSpan.FromHours(1));
        var second = _test.Decision("analytics", "marketing/youtube");

        Assert.Equal(Fingerprint(ConsentRegime.OptIn, first), Fingerprint(ConsentRegime.OptIn, second));
        Assert.Equal(Fingerprint(ConsentRegime.OptIn, null), Fingerprint(ConsentRegime.OptIn, null));
    }

    [Fact]
    public void Undecided_and_decided_differ_even_with_the_same_answers()
    {
        // OptOut undecided grants everything; a decision granting everything gives the same answers.
        var all = _test.Decision(ConsentRegime.OptOut, "preferences", "analytics", "marketing");

        Assert.NotEqual(Fingerprint(ConsentRegime.OptOut, null), Fingerprint(ConsentRegime.OptOut, all));
    }

    [Theory]
    [InlineData("preferences")]
    [InlineData("analytics")]
    [InlineData("marketing")]
    public void Each_category_grant_changes_the_fingerprint(string category)
    {
        var none = _test.Decision();
        var one = _test.Decision(category);

        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, none), Fingerprint(ConsentRegime.OptIn, one));
    }

    [Fact]
    public void Categories_granted_differ_by_which_not_only_how_many()
    {
        Assert.NotEqual(
            Fingerprint(ConsentRegime.OptIn, _test.Decision("analytics")),
            Fingerprint(ConsentRegime.OptIn, _test.Decision("preferences")));
    }

    [Fact]
    public void Service_grants_within_a_refused_category_change_the_fingerprint()
    {
        // Neither grants the marketing category; only the service choice differs.
        var youtube = _test.Decision("marketing/youtube");
        var vimeo = _test.Decision("marketing/vimeo");

        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, youtube), Fingerprint(ConsentRegime.OptIn, vimeo));
        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, _test.Decision()), Fingerprint(ConsentRegime.OptIn, youtube));
    }

    [Fact]
    public void Global_privacy_control_changes_the_fingerprint()
    {
        // Under OptIn the signal changes no answer while undecided, but the banner text may.
        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, null, gpc: false), Fingerprint(ConsentRegime.OptIn, null, gpc: true));
        Assert.NotEqual(Fingerprint(ConsentRegime.OptOut, null, gpc: false), Fingerprint(ConsentRegime.OptOut, null, gpc: true));
    }

    [Fact]
    public void A_stale_decision_changes_the_fingerprint()
    {
        var previous = _test.Decision("analytics");

        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, null), Fingerprint(ConsentRegime.OptIn, null, previous: previous));
    }

    [Fact]
    public void The_regime_changes_the_fingerprint()
    {
        Assert.NotEqual(Fingerprint(ConsentRegime.OptIn, null), Fingerprint(ConsentRegime.Implied, null));
        Assert.NotEqual(Fingerprint(ConsentRegime.OptOut, null), Fingerprint(ConsentRegime.Implied, null));
    }

    [Fact]
    public async Task Pages_that_rendered_an_antiforgery_token_are_not_stored()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);
        var clean = new OutputCacheContext { HttpContext = http, AllowCacheStorage = true };
        await ((IOutputCachePolicy)ConsentOutputCachePolicy.Instance).ServeResponseAsync(clean, CancellationToken.None);
        Assert.True(clean.AllowCacheStorage);

        ConsentForms.Tokens(http);
        var tokened = new OutputCacheContext { HttpContext = http, AllowCacheStorage = true };
        await ((IOutputCachePolicy)ConsentOutputCachePolicy.Instance).ServeResponseAsync(tokened, CancellationToken.None);

        Assert.False(tokened.AllowCacheStorage);
    }

    [Fact]
    public async Task Requests_vary_by_fingerprint_and_ui_culture()
    {
        var http = _test.CreateHttpContext();
        var consent = _test.SetDecided(http, "analytics");
        var context = new OutputCacheContext { HttpContext = http };

        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("fr");
        try
        {
            await ((IOutputCachePolicy)ConsentOutputCachePolicy.Instance).CacheRequestAsync(context, CancellationToken.None);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }

        Assert.Equal(ConsentOutputCachePolicy.Fingerprint(consent, _test.Policy), context.CacheVaryByRules.VaryByValues[ConsentOutputCachePolicy.VaryKey]);
        Assert.Equal("fr", context.CacheVaryByRules.VaryByValues[ConsentOutputCachePolicy.CultureKey]);
    }
}
