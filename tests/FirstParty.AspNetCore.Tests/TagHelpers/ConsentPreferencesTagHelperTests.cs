using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;consent-preferences /&gt;</c>: the inline preferences form.</summary>
public sealed class ConsentPreferencesTagHelperTests : IDisposable
{
    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private static Task<Rendered> RenderAsync(HttpContext http)
        => TagHelperTestContext.RunAsync(
            new ConsentPreferencesTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) },
            "consent-preferences",
            tagMode: TagMode.SelfClosing);

    [Fact]
    public async Task Renders_a_post_form_to_the_consent_endpoint()
    {
        var http = _test.CreateHttpContext("/privacy");
        _test.SetDecided(http, "analytics");

        var rendered = await RenderAsync(http);

        Assert.Equal("form", rendered.Output.TagName);
        Assert.Equal(TagMode.StartTagAndEndTag, rendered.Output.TagMode);
        Assert.Equal("post", TagHelperTestContext.Attribute(rendered.Output, "method"));
        Assert.Equal("/_fp/consent", TagHelperTestContext.Attribute(rendered.Output, "action"));
        Assert.True(rendered.Output.Attributes.ContainsName("data-fp-preferences-form"));
        Assert.Equal("fp-form", TagHelperTestContext.Attribute(rendered.Output, "class"));
        Assert.StartsWith("<form method=\"post\" action=\"/_fp/consent\" ", rendered.Html, StringComparison.Ordinal);
        Assert.EndsWith("</form>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_holds_the_token_the_return_url_and_the_rendered_panel()
    {
        var http = _test.CreateHttpContext("/privacy?tab=cookies&fp-preferences=1");
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(
            [("__RequestVerificationToken", TagHelperTestContext.RequestToken(http)), ("returnUrl", "/privacy?tab=cookies"), ("layer", "second")],
            TagHelperTestContext.HiddenFields(rendered.Html));
        Assert.Contains(
            "<div data-fp-preferences class=\"fp-preferences fp-inline\">" + RecordingViewRenderer.Marker(ConsentViewRenderer.Preferences) + "</div>",
            rendered.Html,
            StringComparison.Ordinal);
        Assert.True(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task The_view_gets_an_open_preferences_model()
    {
        var http = _test.CreateHttpContext("/privacy");
        var consent = _test.SetDecided(http, "preferences");

        await RenderAsync(http);

        var model = _test.Renderer.Single<ConsentFormModel>("FirstParty/_ConsentPreferences");
        Assert.Same(consent, model.Consent);
        Assert.True(model.PreferencesOpen);
        Assert.Equal("fp-prefs", model.IdPrefix);
        Assert.Equal("/_fp/consent", model.Action);
        Assert.Equal("/privacy", model.ReturnUrl);
        Assert.Equal(TagHelperTestContext.RequestToken(http), model.Antiforgery?.RequestToken);
        Assert.True(model.Categories.Single(c => c.Key == "preferences").Granted);
        Assert.False(model.Categories.Single(c => c.Key == "analytics").Granted);
    }

    [Fact]
    public async Task Path_base_and_endpoint_prefix_shape_the_action()
    {
        using var test = TagHelperTestContext.Create(o => o.Endpoints.PathPrefix = "/api/privacy");
        var http = test.CreateHttpContext("/privacy", pathBase: "/shop");
        test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal("/shop/api/privacy/consent", TagHelperTestContext.Attribute(rendered.Output, "action"));
        Assert.Contains(("returnUrl", "/shop/privacy"), TagHelperTestContext.HiddenFields(rendered.Html));
    }

    [Fact]
    public async Task Without_the_middleware_nothing_renders()
    {
        var http = _test.CreateHttpContext("/privacy");

        var rendered = await RenderAsync(http);

        Assert.Equal(string.Empty, rendered.Html);
        Assert.Empty(_test.Renderer.Calls);
    }
}
