using System.Text.Json;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;consent-banner /&gt;</c>: when the banner renders, its model, the script config and assets.</summary>
public sealed class ConsentBannerTagHelperTests : IDisposable
{
    private const string Stylesheet = "<link rel=\"stylesheet\" href=\"/_content/FirstParty.AspNetCore/firstparty.css\" />";
    private const string Script = "<script src=\"/_content/FirstParty.AspNetCore/firstparty.js\" defer></script>";
    private const string Status = "<div data-fp-status role=\"status\" class=\"fp-visually-hidden\"></div>";

    private readonly TagHelperTestContext _test = TagHelperTestContext.Create(o =>
    {
        o.Banner.Layout = ConsentBannerLayout.Box;
        o.Banner.PolicyUrl = "/privacy";
    });

    public void Dispose() => _test.Dispose();

    private static Task<Rendered> RenderAsync(HttpContext http, ConsentBannerLayout? layout = null)
    {
        var helper = new ConsentBannerTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) };
        if (layout is { } value)
        {
            helper.Layout = value;
        }

        return TagHelperTestContext.RunAsync(helper, "consent-banner", tagMode: TagMode.SelfClosing);
    }

    private static JsonElement Config(string html)
    {
        var match = Regex.Match(html, "<script type=\"application/json\" id=\"fp-config\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(match.Success, "no fp-config script in: " + html);
        using var document = JsonDocument.Parse(match.Groups[1].Value);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, bool> Flags(JsonElement element)
        => element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean(), StringComparer.Ordinal);

    [Fact]
    public async Task Undecided_renders_the_banner_view_between_the_assets()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Null(rendered.Output.TagName);
        Assert.Matches(
            "^" + Regex.Escape(Stylesheet)
                + "<script type=\"application/json\" id=\"fp-config\">[^<]*</script>"
                + Regex.Escape(RecordingViewRenderer.Marker(ConsentViewRenderer.Banner) + Status + Script) + "$",
            rendered.Html);
    }

    [Fact]
    public async Task Undecided_banner_model_carries_the_form_the_view_needs()
    {
        var http = _test.CreateHttpContext("/menu?day=mon");
        var consent = _test.SetUndecided(http);

        await RenderAsync(http);

        var model = _test.Renderer.Single<ConsentFormModel>("FirstParty/_ConsentBanner");
        Assert.Same(consent, model.Consent);
        Assert.Equal("/_fp/consent", model.Action);
        Assert.Equal("/menu?day=mon", model.ReturnUrl);
        Assert.Equal(ConsentBannerLayout.Box, model.Layout);
        Assert.Equal("/privacy", model.PolicyUrl);
        Assert.False(model.PreferencesOpen);
        Assert.Equal("fp-banner", model.IdPrefix);
        Assert.NotNull(model.Antiforgery);
        Assert.Equal(TagHelperTestContext.RequestToken(http), model.Antiforgery.RequestToken);
        Assert.Equal(["necessary", "preferences", "analytics", "marketing"], model.Categories.Select(c => c.Key));
        Assert.Contains(model.CookiesOf("marketing"), c => c.Name == "VISITOR_INFO1_LIVE");
        Assert.True(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task The_layout_attribute_overrides_the_configured_layout()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        await RenderAsync(http, ConsentBannerLayout.Dialog);

        Assert.Equal(ConsentBannerLayout.Dialog, _test.Renderer.Single<ConsentFormModel>(ConsentViewRenderer.Banner).Layout);
    }

    [Fact]
    public async Task The_layout_attribute_set_to_bar_overrides_a_configured_box()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        await RenderAsync(http, ConsentBannerLayout.Bar);

        Assert.Equal(ConsentBannerLayout.Bar, _test.Renderer.Single<ConsentFormModel>(ConsentViewRenderer.Banner).Layout);
    }

    [Fact]
    public async Task A_rendered_banner_counts_an_impression_by_layout_region_revision_and_language()
    {
        using var impressions = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            _test.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "FirstParty.AspNetCore", "firstparty.consent.banner.impressions");
        var undecided = _test.CreateHttpContext();
        undecided.Features.Set<FirstParty.AspNetCore.IConsentFeature>(new FirstParty.AspNetCore.Consent.ConsentFeature(_test.Policy, null, null, FirstParty.AspNetCore.ConsentRegime.OptIn, "BE-VLG", false));
        var decided = _test.CreateHttpContext();
        _test.SetDecided(decided, "necessary");

        await TagHelperTestContext.RunAsync(new ConsentBannerTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(undecided), Layout = ConsentBannerLayout.Dialog }, "consent-banner", tagMode: TagMode.SelfClosing, culture: "nl-BE");
        await RenderAsync(decided);

        var impression = Assert.Single(impressions.GetMeasurementSnapshot());
        Assert.Equal(1, impression.Value);
        Assert.Equal("dialog", impression.Tags["layout"]);
        Assert.Equal("BE", impression.Tags["region"]);
        Assert.Equal(_test.Policy.Options.Revision, impression.Tags["revision"]);
        Assert.Equal("nl-BE", impression.Tags["language"]);
        Assert.Equal(4, impression.Tags.Count);
    }

    [Fact]
    public async Task Decided_renders_no_banner_but_keeps_config_and_assets()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var rendered = await RenderAsync(http);

        Assert.Empty(_test.Renderer.Calls);
        Assert.StartsWith(Stylesheet, rendered.Html, StringComparison.Ordinal);
        Assert.EndsWith(Status + Script, rendered.Html, StringComparison.Ordinal);
        Assert.True(Config(rendered.Html).GetProperty("decided").GetBoolean());
        Assert.False(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task Preferences_query_renders_the_banner_open_even_when_decided()
    {
        var http = _test.CreateHttpContext("/menu?fp-preferences=1&day=mon");
        _test.SetDecided(http, "analytics");

        await RenderAsync(http);

        var model = _test.Renderer.Single<ConsentFormModel>(ConsentViewRenderer.Banner);
        Assert.True(model.PreferencesOpen);
        Assert.Equal("/menu?day=mon", model.ReturnUrl);
        Assert.NotNull(model.Antiforgery);
    }

    [Fact]
    public async Task Preferences_query_opens_the_preferences_of_an_undecided_banner()
    {
        var http = _test.CreateHttpContext("/?fp-preferences");
        _test.SetUndecided(http);

        await RenderAsync(http);

        Assert.True(_test.Renderer.Single<ConsentFormModel>(ConsentViewRenderer.Banner).PreferencesOpen);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("facebookexternalhit/1.1")]
    [InlineData("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0)")]
    public async Task Crawlers_get_nothing_at_all(string userAgent)
    {
        var http = _test.CreateHttpContext(userAgent: userAgent);
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(string.Empty, rendered.Html);
        Assert.Empty(_test.Renderer.Calls);
        Assert.False(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task Without_the_middleware_nothing_renders()
    {
        var http = _test.CreateHttpContext();

        var rendered = await RenderAsync(http);

        Assert.Equal(string.Empty, rendered.Html);
        Assert.Empty(_test.Renderer.Calls);
    }

    [Fact]
    public async Task Config_describes_the_state_for_the_script()
    {
        var http = _test.CreateHttpContext(pathBase: "/shop");
        _test.SetDecided(http, "analytics", "marketing/youtube");

        var config = Config((await RenderAsync(http)).Html);

        Assert.Equal("/shop/_fp/consent", config.GetProperty("endpoint").GetString());
        Assert.True(config.GetProperty("decided").GetBoolean());
        Assert.Equal(
            new Dictionary<string, bool>(StringComparer.Ordinal) { ["necessary"] = true, ["preferences"] = false, ["analytics"] = true, ["marketing"] = false },
            Flags(config.GetProperty("categories")));
        Assert.Equal(
            new Dictionary<string, bool>(StringComparer.Ordinal) { ["preferences/ui"] = false, ["marketing/youtube"] = true, ["marketing/vimeo"] = false },
            Flags(config.GetProperty("services")));
        var storage = Assert.Single(config.GetProperty("storage").EnumerateObject());
        Assert.Equal("marketing/youtube", storage.Name);
        Assert.Equal(["yt-remote-device-id"], storage.Value.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Your choices have been saved.", config.GetProperty("saved").GetString());
    }

    [Fact]
    public async Task Config_reports_undecided()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var config = Config((await RenderAsync(http)).Html);

        Assert.False(config.GetProperty("decided").GetBoolean());
        Assert.False(config.GetProperty("categories").GetProperty("analytics").GetBoolean());
        Assert.True(config.GetProperty("categories").GetProperty("necessary").GetBoolean());
    }

    [Fact]
    public async Task Config_saved_text_follows_the_culture()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http);
        var helper = new ConsentBannerTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) };

        var rendered = await TagHelperTestContext.RunAsync(helper, "consent-banner", tagMode: TagMode.SelfClosing, culture: "fr");

        Assert.Equal("Vos choix ont été enregistrés.", Config(rendered.Html).GetProperty("saved").GetString());
    }

    [Fact]
    public async Task Config_cannot_close_its_script_element()
    {
        const string hostile = "Saved </script><script>alert(1)</script> & done";
        using var test = TagHelperTestContext.Create(o => o.Banner.Texts["Saved"] = hostile);
        var http = test.CreateHttpContext();
        test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.DoesNotContain("<script>alert(1)", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("\\u003C/script\\u003E", rendered.Html, StringComparison.Ordinal);
        Assert.Equal(hostile, Config(rendered.Html).GetProperty("saved").GetString());
    }

    [Fact]
    public async Task Without_assets_the_banner_renders_no_stylesheet_or_script_link()
    {
        using var test = TagHelperTestContext.Create(o => o.Banner.IncludeAssets = false);
        var http = test.CreateHttpContext();
        test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.DoesNotContain("<link", rendered.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", rendered.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("firstparty.js", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"fp-config\"", rendered.Html, StringComparison.Ordinal);
        Assert.Contains(RecordingViewRenderer.Marker(ConsentViewRenderer.Banner), rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_are_under_the_path_base()
    {
        var http = _test.CreateHttpContext(pathBase: "/shop");
        _test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.Contains("href=\"/shop/_content/FirstParty.AspNetCore/firstparty.css\"", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/shop/_content/FirstParty.AspNetCore/firstparty.js\" defer", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_carries_the_configured_nonce()
    {
        using var test = TagHelperTestContext.Create(o => o.ScriptNonce = _ => TagHelperTestContext.Nonce);
        var http = test.CreateHttpContext();
        test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.Contains($"<script src=\"/_content/FirstParty.AspNetCore/firstparty.js\" defer nonce=\"{TagHelperTestContext.Nonce}\"></script>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("<script type=\"application/json\" id=\"fp-config\">", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_nonce_the_script_has_no_nonce_attribute()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.DoesNotContain("nonce", rendered.Html, StringComparison.Ordinal);
    }
}
