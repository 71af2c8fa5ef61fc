using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>fp-consent</c> on scripts, stylesheets and embeds, rendered by hand.</summary>
public sealed class ConsentTagHelperTests : IDisposable
{
    private const string VideoUrl = "https://www.youtube-nocookie.com/embed/abc";

    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private Task<Rendered> RenderAsync(
        HttpContext http,
        string consent,
        string tagName,
        TagHelperAttributeList attributes,
        string childContent = "",
        TagMode tagMode = TagMode.StartTagAndEndTag,
        string culture = "en")
    {
        var helper = _test.Create<ConsentTagHelper>();
        helper.Consent = consent;
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);
        var all = new TagHelperAttributeList { { "fp-consent", consent } };
        foreach (var attribute in attributes)
        {
            all.Add(attribute);
        }

        return TagHelperTestContext.RunAsync(helper, tagName, all, childContent, tagMode, culture);
    }

    private Task<Rendered> ScriptAsync(HttpContext http, string consent = "analytics", TagHelperAttributeList? extra = null)
    {
        var attributes = new TagHelperAttributeList { { "src", "/js/analytics.js" }, { "defer", "defer" } };
        foreach (var attribute in extra ?? [])
        {
            attributes.Add(attribute);
        }

        return RenderAsync(http, consent, "script", attributes);
    }

    private Task<Rendered> VideoAsync(HttpContext http, string consent = "marketing/youtube", string culture = "en")
        => RenderAsync(http, consent, "iframe", new TagHelperAttributeList { { "src", VideoUrl }, { "title", "Roasting" } }, culture: culture);

    private static string Template(string html)
    {
        var match = Regex.Match(html, "<template data-fp-embed>(.*?)</template>", RegexOptions.Singleline);
        Assert.True(match.Success, "no <template data-fp-embed> in: " + html);
        return match.Groups[1].Value;
    }

    [Fact]
    public async Task Granted_script_renders_as_written_without_the_marker_attribute()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var rendered = await ScriptAsync(http);

        Assert.Equal("script", rendered.Output.TagName);
        Assert.Equal("<script src=\"/js/analytics.js\" defer=\"defer\"></script>", rendered.Html);
    }

    [Theory]
    [InlineData(ConsentRegime.OptIn, false)]
    [InlineData(ConsentRegime.OptOut, false)]
    [InlineData(ConsentRegime.OptOut, true)]
    public async Task Undecided_script_follows_the_regime_and_opt_out_signal(ConsentRegime regime, bool gpc)
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http, regime, gpc);

        var analytics = await ScriptAsync(http, "analytics");
        var marketing = await ScriptAsync(_test.CreateHttpContext().With(h => _test.SetUndecided(h, regime, gpc)), "marketing");

        var analyticsGranted = regime != ConsentRegime.OptIn;
        var marketingGranted = regime != ConsentRegime.OptIn && !gpc;
        Assert.Equal(analyticsGranted, TagHelperTestContext.Attribute(analytics.Output, "src") is not null);
        Assert.Equal(marketingGranted, TagHelperTestContext.Attribute(marketing.Output, "src") is not null);
    }

    [Fact]
    public async Task Refused_script_is_inert_text_with_its_source_kept_for_the_script()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await ScriptAsync(http);

        Assert.Equal("script", rendered.Output.TagName);
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "src"));
        Assert.Equal("text/plain", TagHelperTestContext.Attribute(rendered.Output, "type"));
        Assert.Equal("/js/analytics.js", TagHelperTestContext.Attribute(rendered.Output, "data-fp-src"));
        Assert.Equal("analytics", TagHelperTestContext.Attribute(rendered.Output, "data-fp-consent"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "data-fp-type"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "fp-consent"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "nonce"));
        Assert.DoesNotContain(" src=", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_module_script_keeps_its_type_for_revival()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await ScriptAsync(http, extra: new TagHelperAttributeList { { "type", "module" } });

        Assert.Equal("text/plain", TagHelperTestContext.Attribute(rendered.Output, "type"));
        Assert.Equal("module", TagHelperTestContext.Attribute(rendered.Output, "data-fp-type"));
        Assert.Single(rendered.Output.Attributes, a => a.Name == "type");
    }

    [Fact]
    public async Task Refused_inline_script_is_inert_and_keeps_its_body()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "analytics", "script", [], childContent: "track('view');");

        Assert.Equal("<script data-fp-consent=\"analytics\" type=\"text/plain\">track('view');</script>", rendered.Html);
    }

    [Fact]
    public async Task Refused_script_gets_the_configured_nonce()
    {
        using var test = TagHelperTestContext.Create(o => o.ScriptNonce = _ => TagHelperTestContext.Nonce);
        var http = test.CreateHttpContext();
        test.SetUndecided(http);
        var helper = test.Create<ConsentTagHelper>();
        helper.Consent = "analytics";
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);

        var rendered = await TagHelperTestContext.RunAsync(helper, "script", new TagHelperAttributeList { { "src", "/js/analytics.js" } });

        Assert.Equal(TagHelperTestContext.Nonce, TagHelperTestContext.Attribute(rendered.Output, "nonce"));
        Assert.Equal("text/plain", TagHelperTestContext.Attribute(rendered.Output, "type"));
    }

    [Fact]
    public async Task Refused_script_with_its_own_nonce_keeps_it_alone()
    {
        using var test = TagHelperTestContext.Create(o => o.ScriptNonce = _ => TagHelperTestContext.Nonce);
        var http = test.CreateHttpContext();
        test.SetUndecided(http);
        var helper = test.Create<ConsentTagHelper>();
        helper.Consent = "analytics";
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);

        var rendered = await TagHelperTestContext.RunAsync(helper, "script", new TagHelperAttributeList { { "src", "/js/analytics.js" }, { "nonce", "own" } });

        var nonce = Assert.Single(rendered.Output.Attributes, a => a.Name == "nonce");
        Assert.Equal("own", nonce.Value?.ToString());
        Assert.Single(Regex.Matches(rendered.Html, "nonce="));
    }

    [Fact]
    public async Task Granted_script_gets_the_nonce_so_a_strict_policy_runs_it()
    {
        using var test = TagHelperTestContext.Create(o => o.ScriptNonce = _ => TagHelperTestContext.Nonce);
        var http = test.CreateHttpContext();
        test.SetDecided(http, "analytics");
        var helper = test.Create<ConsentTagHelper>();
        helper.Consent = "analytics";
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);

        var rendered = await TagHelperTestContext.RunAsync(helper, "script", new TagHelperAttributeList { { "src", "/js/analytics.js" } });

        Assert.Equal($"<script src=\"/js/analytics.js\" nonce=\"{TagHelperTestContext.Nonce}\"></script>", rendered.Html);
    }

    [Fact]
    public async Task Refused_stylesheet_loses_its_href_to_data_fp_href()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "preferences", "link", new TagHelperAttributeList { { "rel", "stylesheet" }, { "href", "/css/theme.css" } }, tagMode: TagMode.SelfClosing);

        Assert.Equal("link", rendered.Output.TagName);
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "href"));
        Assert.Equal("/css/theme.css", TagHelperTestContext.Attribute(rendered.Output, "data-fp-href"));
        Assert.Equal("preferences", TagHelperTestContext.Attribute(rendered.Output, "data-fp-consent"));
        Assert.Equal("stylesheet", TagHelperTestContext.Attribute(rendered.Output, "rel"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "type"));
    }

    [Fact]
    public async Task Granted_stylesheet_keeps_its_href()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "preferences");

        var rendered = await RenderAsync(http, "preferences", "link", new TagHelperAttributeList { { "rel", "stylesheet" }, { "href", "/css/theme.css" } }, tagMode: TagMode.SelfClosing);

        Assert.Equal("<link rel=\"stylesheet\" href=\"/css/theme.css\" />", rendered.Html);
    }

    [Fact]
    public async Task Refused_embed_becomes_a_placeholder_holding_the_original_in_an_inert_template()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal("div", rendered.Output.TagName);
        Assert.Equal("marketing/youtube", TagHelperTestContext.Attribute(rendered.Output, "data-fp-placeholder"));
        Assert.Equal("fp-placeholder", TagHelperTestContext.Attribute(rendered.Output, "class"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "src"));
        Assert.StartsWith("<div data-fp-placeholder=\"marketing/youtube\" class=\"fp-placeholder\"><template data-fp-embed>", rendered.Html, StringComparison.Ordinal);

        var template = Template(rendered.Html);
        Assert.StartsWith("<iframe ", template, StringComparison.Ordinal);
        Assert.EndsWith("></iframe>", template, StringComparison.Ordinal);
        Assert.Contains($"src=\"{VideoUrl}\"", template, StringComparison.Ordinal);
        Assert.Contains("title=\"Roasting\"", template, StringComparison.Ordinal);
        Assert.DoesNotContain("fp-consent", template, StringComparison.Ordinal);

        // The only live iframe markup is inside the template.
        Assert.Single(Regex.Matches(rendered.Html, "<iframe"));
        Assert.Contains("<p>YouTube content is blocked until you allow it.</p>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholder_template_encodes_plain_string_attribute_values_once()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "marketing/youtube", "iframe", new TagHelperAttributeList { { "src", VideoUrl + "?rel=0&start=10" }, { "title", "Rock & \"Roll\"" } });

        var template = Template(rendered.Html);
        Assert.Contains($"src=\"{VideoUrl}?rel=0&amp;start=10\"", template, StringComparison.Ordinal);
        Assert.Contains("title=\"Rock &amp; &quot;Roll&quot;\"", template, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholder_form_allows_once_or_always_without_javascript()
    {
        var http = _test.CreateHttpContext("/menu");
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Contains("<form method=\"post\" action=\"/_fp/consent\">", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" name=\"choice\" value=\"once\" data-fp-allow=\"once\">Allow once</button>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" name=\"choice\" value=\"custom\" data-fp-allow=\"always\">Always allow YouTube</button>", rendered.Html, StringComparison.Ordinal);

        var fields = TagHelperTestContext.HiddenFields(rendered.Html);
        Assert.Equal(
            [
                ("__RequestVerificationToken", TagHelperTestContext.RequestToken(http)),
                ("service", "marketing/youtube"),
                ("allow", "marketing/youtube"),
                ("returnUrl", "/menu"),
            ],
            fields);
    }

    [Fact]
    public async Task Placeholder_form_keeps_the_choices_already_made()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "preferences", "marketing/vimeo");

        var rendered = await VideoAsync(http);

        var fields = TagHelperTestContext.HiddenFields(rendered.Html).Where(f => f.Name != "__RequestVerificationToken");
        Assert.Equal(
            [
                ("category", "preferences"),
                ("service", "preferences/ui"),
                ("service", "marketing/vimeo"),
                ("service", "marketing/youtube"),
                ("allow", "marketing/youtube"),
                ("returnUrl", "/page"),
            ],
            fields);
    }

    [Fact]
    public async Task Placeholder_for_a_category_posts_the_category_with_its_title()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http, consent: "marketing");

        Assert.Equal("marketing", TagHelperTestContext.Attribute(rendered.Output, "data-fp-placeholder"));
        Assert.Contains(("category", "marketing"), TagHelperTestContext.HiddenFields(rendered.Html));
        Assert.DoesNotContain(TagHelperTestContext.HiddenFields(rendered.Html), f => f.Name == "service");
        Assert.Contains("Always allow Ads and videos", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholder_return_url_drops_firstpartys_one_shot_query_parameters()
    {
        var http = _test.CreateHttpContext("/menu?day=mon&fp-preferences=1&fp-allow=stale&sort=asc", pathBase: "/shop");
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        var returnUrl = Assert.Single(TagHelperTestContext.HiddenFields(rendered.Html), f => f.Name == "returnUrl").Value;
        Assert.Equal("/shop/menu?day=mon&sort=asc", returnUrl);
        Assert.Contains("action=\"/shop/_fp/consent\"", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholder_speaks_the_request_culture()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http, culture: "fr");

        Assert.Contains(">Autoriser une fois</button>", rendered.Html, StringComparison.Ordinal);
        Assert.Contains(">Toujours autoriser YouTube</button>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_image_placeholder_holds_a_void_element()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "marketing", "img", new TagHelperAttributeList { { "src", "https://ads.example/pixel.gif" }, { "alt", "" } }, tagMode: TagMode.StartTagOnly);

        var template = Template(rendered.Html);
        Assert.StartsWith("<img ", template, StringComparison.Ordinal);
        Assert.Contains("src=\"https://ads.example/pixel.gif\"", template, StringComparison.Ordinal);
        Assert.DoesNotContain("</img>", template, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_video_placeholder_keeps_the_elements_children_in_the_template()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "marketing/vimeo", "video", new TagHelperAttributeList { { "controls", "controls" } }, childContent: "<source src=\"/v.mp4\" type=\"video/mp4\" />");

        var template = Template(rendered.Html);
        Assert.Matches("^<video [^>]*><source src=\"/v.mp4\" type=\"video/mp4\" /></video>$", template);
    }

    [Fact]
    public async Task Granted_embed_renders_as_written()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "marketing/youtube");

        var rendered = await VideoAsync(http);

        Assert.Equal($"<iframe src=\"{VideoUrl}\" title=\"Roasting\"></iframe>", rendered.Html);
    }

    [Fact]
    public async Task A_service_granted_alone_does_not_grant_its_category()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "marketing/youtube");

        var category = await VideoAsync(http, consent: "marketing");
        var sibling = await VideoAsync(http, consent: "marketing/vimeo");

        Assert.Equal("div", category.Output.TagName);
        Assert.Equal("div", sibling.Output.TagName);
    }

    [Fact]
    public async Task Negated_key_suppresses_the_element_when_granted()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "marketing");

        var rendered = await RenderAsync(http, "!marketing", "script", new TagHelperAttributeList { { "src", "/js/house-ads.js" } });

        Assert.Null(rendered.Output.TagName);
        Assert.Equal(string.Empty, rendered.Html);
    }

    [Fact]
    public async Task Negated_key_renders_the_element_as_written_when_refused()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var rendered = await RenderAsync(http, "!marketing", "script", new TagHelperAttributeList { { "src", "/js/house-ads.js" } });

        Assert.Equal("<script src=\"/js/house-ads.js\"></script>", rendered.Html);
    }

    [Fact]
    public async Task Surrounding_whitespace_in_the_key_is_ignored()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var rendered = await ScriptAsync(http, " analytics ");

        Assert.Equal("/js/analytics.js", TagHelperTestContext.Attribute(rendered.Output, "src"));
    }

    [Theory]
    [InlineData("analytics")]
    [InlineData("marketing/youtube")]
    [InlineData("necessary")]
    public async Task Without_the_middleware_nothing_is_granted(string key)
    {
        var http = _test.CreateHttpContext();

        var rendered = await ScriptAsync(http, key);

        Assert.Equal("text/plain", TagHelperTestContext.Attribute(rendered.Output, "type"));
        Assert.Equal(key, TagHelperTestContext.Attribute(rendered.Output, "data-fp-consent"));
    }

    [Fact]
    public async Task Without_the_middleware_a_negated_element_renders()
    {
        var http = _test.CreateHttpContext();

        var rendered = await RenderAsync(http, "!marketing", "script", new TagHelperAttributeList { { "src", "/js/house-ads.js" } });

        Assert.Equal("<script src=\"/js/house-ads.js\"></script>", rendered.Html);
    }

    [Fact]
    public async Task A_valid_allow_once_token_renders_the_embed_on_this_page_view()
    {
        var token = _test.AllowOnce.Create("marketing/youtube");
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal($"<iframe src=\"{VideoUrl}\" title=\"Roasting\"></iframe>", rendered.Html);
    }

    [Fact]
    public async Task A_valid_allow_once_token_also_revives_a_script()
    {
        var token = _test.AllowOnce.Create("analytics");
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await ScriptAsync(http, "analytics");

        Assert.Equal("/js/analytics.js", TagHelperTestContext.Attribute(rendered.Output, "src"));
    }

    [Fact]
    public async Task An_expired_allow_once_token_is_ignored()
    {
        var token = _test.AllowOnce.Create("marketing/youtube");
        _test.Time.Advance(AllowOnceTokens.Lifetime + TimeSpan.FromSeconds(1));
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal("div", rendered.Output.TagName);
    }

    [Fact]
    public async Task An_allow_once_token_for_another_key_is_ignored()
    {
        var token = _test.AllowOnce.Create("marketing/vimeo");
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal("div", rendered.Output.TagName);
    }

    [Fact]
    public async Task An_allow_once_token_from_another_key_ring_is_ignored()
    {
        using var other = TagHelperTestContext.Create();
        var token = other.AllowOnce.Create("marketing/youtube");
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal("div", rendered.Output.TagName);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("marketing/youtube")]
    public async Task A_forged_allow_once_token_is_ignored(string token)
    {
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await VideoAsync(http);

        Assert.Equal("div", rendered.Output.TagName);
    }

    [Fact]
    public async Task A_placeholder_renders_an_antiforgery_token_that_marks_the_page_uncacheable()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);
        Assert.False(ConsentForms.RenderedToken(http));

        await VideoAsync(http);

        Assert.True(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task A_gated_script_renders_no_antiforgery_token()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        await ScriptAsync(http);

        Assert.False(ConsentForms.RenderedToken(http));
    }
}
