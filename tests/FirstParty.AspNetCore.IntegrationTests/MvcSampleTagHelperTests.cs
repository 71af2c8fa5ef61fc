using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using MvcSample.Controllers;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The consent tag helpers from MVC views: the box banner, the gated player, the block and the privacy page.</summary>
public sealed class MvcSampleTagHelperTests(SampleFactory<HomeController> factory) : IClassFixture<SampleFactory<HomeController>>
{
    [Fact]
    public async Task The_layout_renders_the_box_banner_consent_mode_and_the_footer_link()
    {
        var browser = SampleClient.Create(factory);

        var home = await browser.NavigateAsync("/");

        Assert.Contains("<section data-fp-banner data-fp-layout=\"box\" class=\"fp-banner fp-box\"", home.Body, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/Home/Privacy\" class=\"fp-link\">", home.Body, StringComparison.Ordinal);
        Assert.Contains("gtag('consent','default',", home.Body, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/Home/CookieSettings\" data-fp-open-preferences class=\"fp-open-preferences\">Cookie settings</a>", home.Body, StringComparison.Ordinal);
        Assert.Matches("<script[^>]*data-fp-src=\"/js/analytics.js", home.Body);
    }

    [Fact]
    public async Task The_banner_assets_are_served_by_map_static_assets()
    {
        var browser = SampleClient.Create(factory);
        var home = await browser.NavigateAsync("/");

        var script = System.Net.WebUtility.HtmlDecode(Regex.Match(home.Body, "<script src=\"(/_content/FirstParty.AspNetCore/firstparty[^\"]*)\"").Groups[1].Value);
        var style = System.Net.WebUtility.HtmlDecode(Regex.Match(home.Body, "<link rel=\"stylesheet\" href=\"(/_content/FirstParty.AspNetCore/firstparty[^\"]*)\"").Groups[1].Value);
        var js = await browser.FetchAsync(script);
        var css = await browser.FetchAsync(style);

        Assert.Equal(200, js.Status);
        Assert.Contains("window.firstParty", js.Body, StringComparison.Ordinal);
        Assert.Equal(200, css.Status);
        Assert.Contains(".fp-banner", css.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_player_and_the_recommendation_wait_for_their_categories()
    {
        var browser = SampleClient.Create(factory);

        var before = await browser.NavigateAsync("/Home/Catalogue");
        await browser.ChooseAsync("accept-all", "/Home/Catalogue");
        var after = await browser.NavigateAsync("/Home/Catalogue");

        Assert.Contains("<div data-fp-placeholder=\"marketing\" class=\"fp-placeholder\">", before.Body, StringComparison.Ordinal);
        Assert.Contains("data-recommendation-fallback", before.Body, StringComparison.Ordinal);
        Assert.Contains("<iframe src=\"/embed/sample\"", after.Body, StringComparison.Ordinal);
        Assert.Contains("<p data-recommendation>", after.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("data-fp-banner", after.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_privacy_page_has_the_privacy_centre_and_the_cookie_table()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");

        var privacy = await browser.NavigateAsync("/Home/Privacy");
        var withdrawn = await browser.PostFormAsync("/Home/Privacy", "/_fp/consent", ("choice", "withdraw"), ("returnUrl", "/Home/Privacy"));

        Assert.Contains("data-fp-centre", privacy.Body, StringComparison.Ordinal);
        Assert.Matches("<code data-visitor-id>[0-9a-f-]{36}</code>", privacy.Body);
        Assert.Contains("class=\"fp-cookie-table\"", privacy.Body, StringComparison.Ordinal);
        Assert.Equal("/Home/Privacy", withdrawn.Location);
        Assert.True(withdrawn.Deletes("_fp_id"));
    }

    [Fact]
    public async Task The_cookie_settings_page_saves_choices_without_javascript()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");

        var settings = await browser.NavigateAsync("/Home/CookieSettings");
        var saved = await browser.PostFormAsync("/Home/CookieSettings", "/_fp/consent", ("choice", "custom"), ("category", "preferences"), ("returnUrl", "/Home/CookieSettings"));
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.Matches("<form method=\"post\" action=\"/_fp/consent\" data-fp-preferences-form class=\"fp-form\">", settings.Body);
        Assert.Matches("name=\"category\" value=\"analytics\"[^>]*checked=\"checked\"", settings.Body);
        Assert.Equal("/Home/CookieSettings", saved.Location);
        Assert.Contains("\"analytics\":false", state.Body, StringComparison.Ordinal);
        Assert.Contains("\"preferences\":true", state.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_player_placeholder_allows_once_without_javascript()
    {
        var browser = SampleClient.Create(factory);
        await browser.NavigateAsync("/Home/Catalogue");

        var answer = await browser.PostFormAsync("/Home/Catalogue", "/_fp/consent", ("choice", "once"), ("allow", "marketing"), ("returnUrl", "/Home/Catalogue"));
        var once = await browser.NavigateAsync(answer.Location!);

        Assert.Matches("^/Home/Catalogue\\?fp-allow=", answer.Location!);
        Assert.Contains("<iframe src=\"/embed/sample\"", once.Body, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(once.Body, "data-fp-banner"));
    }
}
