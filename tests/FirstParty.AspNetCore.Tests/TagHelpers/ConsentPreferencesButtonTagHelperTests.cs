using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;consent-preferences-button&gt;</c>: the "cookie settings" link.</summary>
public sealed class ConsentPreferencesButtonTagHelperTests : IDisposable
{
    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private static Task<Rendered> RenderAsync(HttpContext http, string content = "", string culture = "en", TagHelperAttributeList? attributes = null)
        => TagHelperTestContext.RunAsync(
            new ConsentPreferencesButtonTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) },
            "consent-preferences-button",
            attributes,
            content,
            culture: culture);

    [Theory]
    [InlineData("/menu", null, "/menu?fp-preferences=1")]
    [InlineData("/menu?day=mon", null, "/menu?day=mon&fp-preferences=1")]
    [InlineData("/menu?day=mon&fp-preferences=1", null, "/menu?day=mon&fp-preferences=1")]
    [InlineData("/menu?fp-allow=token&day=mon", null, "/menu?day=mon&fp-preferences=1")]
    [InlineData("/menu", "/shop", "/shop/menu?fp-preferences=1")]
    public async Task Links_to_the_current_page_with_the_preferences_open(string url, string? pathBase, string expected)
    {
        var http = _test.CreateHttpContext(url, pathBase);
        _test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal("a", rendered.Output.TagName);
        Assert.Equal(TagMode.StartTagAndEndTag, rendered.Output.TagMode);
        Assert.Equal(expected, TagHelperTestContext.Attribute(rendered.Output, "href"));
        Assert.True(rendered.Output.Attributes.ContainsName("data-fp-open-preferences"));
    }

    [Theory]
    [InlineData(null, "/privacy#cookies")]
    [InlineData("/shop", "/shop/privacy#cookies")]
    public async Task Links_to_the_configured_preferences_page(string? pathBase, string expected)
    {
        using var test = TagHelperTestContext.Create(o => o.Banner.PreferencesUrl = "/privacy#cookies");
        var http = test.CreateHttpContext("/menu?day=mon", pathBase);
        test.SetDecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(expected, TagHelperTestContext.Attribute(rendered.Output, "href"));
    }

    [Theory]
    [InlineData("en", "Cookie settings")]
    [InlineData("fr", "Paramètres des cookies")]
    [InlineData("de", "Cookie-Einstellungen")]
    public async Task Empty_content_gets_the_localized_default_text(string culture, string expected)
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, content: "  ", culture: culture);

        Assert.Equal(expected, rendered.Output.Content.GetContent(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All)));
    }

    [Fact]
    public async Task The_configured_text_replaces_the_built_in_one()
    {
        using var test = TagHelperTestContext.Create(o => o.Banner.Texts["OpenPreferences"] = "Privacy & cookies");
        var http = test.CreateHttpContext();
        test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.EndsWith(">Privacy &amp; cookies</a>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Author_content_is_kept()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, content: "<span>Manage cookies</span>");

        Assert.Equal(
            "<a href=\"/page?fp-preferences=1\" data-fp-open-preferences class=\"fp-open-preferences\"><span>Manage cookies</span></a>",
            rendered.Html);
    }

    [Fact]
    public async Task Author_classes_are_kept_with_the_script_hook_class()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, attributes: new TagHelperAttributeList { { "class", "footer-link" } });

        Assert.Equal("footer-link fp-open-preferences", TagHelperTestContext.Attribute(rendered.Output, "class"));
    }

    [Fact]
    public async Task Renders_without_the_middleware_too()
    {
        var http = _test.CreateHttpContext("/menu");

        var rendered = await RenderAsync(http);

        Assert.Equal("/menu?fp-preferences=1", TagHelperTestContext.Attribute(rendered.Output, "href"));
        Assert.EndsWith(">Cookie settings</a>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allow_once_token_is_not_carried_into_the_link()
    {
        var token = _test.AllowOnce.Create("marketing/youtube");
        var http = _test.CreateHttpContext("/menu?" + AllowOnceTokens.QueryName + "=" + Uri.EscapeDataString(token));
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal("/menu?fp-preferences=1", TagHelperTestContext.Attribute(rendered.Output, "href"));
    }
}
