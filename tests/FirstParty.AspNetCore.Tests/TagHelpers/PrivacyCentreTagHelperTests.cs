using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;privacy-centre /&gt;</c>: the model handed to the overridable view.</summary>
public sealed class PrivacyCentreTagHelperTests : IDisposable
{
    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private static Task<Rendered> RenderAsync(HttpContext http)
        => TagHelperTestContext.RunAsync(
            new PrivacyCentreTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) },
            "privacy-centre",
            tagMode: TagMode.SelfClosing);

    [Fact]
    public async Task Renders_the_privacy_centre_view_alone()
    {
        var http = _test.CreateHttpContext("/privacy");
        _test.SetDecided(http, "analytics");

        var rendered = await RenderAsync(http);

        Assert.Null(rendered.Output.TagName);
        Assert.Equal(RecordingViewRenderer.Marker("FirstParty/_PrivacyCentre"), rendered.Html);
    }

    [Fact]
    public async Task The_model_has_the_forget_endpoint_and_an_open_preferences_form()
    {
        var http = _test.CreateHttpContext("/privacy?fp-preferences=1");
        var consent = _test.SetDecided(http, "analytics");

        await RenderAsync(http);

        var model = _test.Renderer.Single<PrivacyCentreModel>(ConsentViewRenderer.PrivacyCentre);
        Assert.Equal("/_fp/forget", model.ForgetAction);
        Assert.Null(model.Visitor);
        Assert.Same(consent, model.Preferences.Consent);
        Assert.Equal("/_fp/consent", model.Preferences.Action);
        Assert.Equal("/privacy", model.Preferences.ReturnUrl);
        Assert.Equal("fp-centre", model.Preferences.IdPrefix);
        Assert.True(model.Preferences.PreferencesOpen);
        Assert.Equal(TagHelperTestContext.RequestToken(http), model.Preferences.Antiforgery?.RequestToken);
        Assert.True(ConsentForms.RenderedToken(http));
    }

    [Fact]
    public async Task The_model_carries_the_requests_visitor()
    {
        var http = _test.CreateHttpContext("/privacy");
        _test.SetDecided(http, "analytics");
        var now = _test.Time.GetUtcNow().ToUnixTimeSeconds();
        var visitor = new VisitorFeature(http, new VisitorRecord(RandomIds.NewUuid(), now - 3600, 2, null, now), null, now);
        http.Features.Set<IVisitorFeature>(visitor);

        await RenderAsync(http);

        Assert.Same(visitor, _test.Renderer.Single<PrivacyCentreModel>(ConsentViewRenderer.PrivacyCentre).Visitor);
    }

    [Fact]
    public async Task The_forget_endpoint_follows_path_base_and_prefix()
    {
        using var test = TagHelperTestContext.Create(o => o.Endpoints.PathPrefix = "/consent-api");
        var http = test.CreateHttpContext("/privacy", pathBase: "/shop");
        test.SetUndecided(http);

        await RenderAsync(http);

        var model = test.Renderer.Single<PrivacyCentreModel>(ConsentViewRenderer.PrivacyCentre);
        Assert.Equal("/shop/consent-api/forget", model.ForgetAction);
        Assert.Equal("/shop/consent-api/consent", model.Preferences.Action);
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
