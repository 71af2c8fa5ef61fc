using Bunit;
using FirstParty.AspNetCore.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Components.Tests;

/// <summary>The markup components: what they ask the server for, and how they write its answer in each render mode.</summary>
public sealed class ComponentTests
{
    [Fact]
    public void Static_banner_writes_the_servers_markup_as_it_is()
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        var banner = context.Render<ConsentBanner>(p => p.Add(c => c.Layout, "Box"));

        var request = Assert.Single(server.Requests);
        Assert.Equal(MarkupKind.Banner, request.Kind);
        Assert.Equal("Box", request.Argument);
        Assert.Equal(FakeServer.MarkupFor(request), banner.Markup);
    }

    [Theory]
    [InlineData(typeof(ConsentPreferences), nameof(MarkupKind.Preferences))]
    [InlineData(typeof(PrivacyCentre), nameof(MarkupKind.PrivacyCentre))]
    [InlineData(typeof(ConsentMode), nameof(MarkupKind.ConsentMode))]
    [InlineData(typeof(CookieTable), nameof(MarkupKind.CookieTable))]
    [InlineData(typeof(ConsentPreferencesButton), nameof(MarkupKind.PreferencesButton))]
    public void Each_component_asks_for_its_tag_helpers_markup(Type component, string kind)
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        var rendered = context.Render(builder =>
        {
            builder.OpenComponent(0, component);
            builder.CloseComponent();
        });

        var request = Assert.Single(server.Requests);
        Assert.Equal(kind, request.Kind.ToString());
        Assert.Equal(FakeServer.MarkupFor(request), rendered.Markup);
    }

    [Fact]
    public void Cookie_table_and_tracking_snippet_pass_their_argument()
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        context.Render<CookieTable>(p => p.Add(c => c.Category, "analytics"));
        context.Render<TrackingSnippet>(p => p.Add(c => c.Provider, "snowplow"));

        Assert.Equal([(MarkupKind.CookieTable, "analytics"), (MarkupKind.TrackingSnippet, "snowplow")], server.Requests.Select(r => (r.Kind, r.Argument!)));
    }

    [Fact]
    public void Gated_script_sends_the_element_as_written_for_the_fp_consent_tag_helper()
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        context.Render<GatedScript>(p => p
            .Add(c => c.Consent, "analytics")
            .Add(c => c.Src, "/js/analytics.js")
            .Add(c => c.Type, "module")
            .Add(c => c.Defer, true)
            .AddUnmatched("data-site", "shop"));

        var request = Assert.Single(server.Requests);
        Assert.Equal(MarkupKind.Gated, request.Kind);
        Assert.Equal("analytics", request.Argument);
        Assert.Equal("script", request.TagName);
        Assert.Equal(
            [new("src", "/js/analytics.js"), new("type", "module"), new("defer", null), new KeyValuePair<string, string?>("data-site", "shop")],
            request.Attributes!);
    }

    [Fact]
    public void Gated_frame_sends_an_iframe_with_its_title_and_extra_attributes()
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        context.Render<GatedFrame>(p => p
            .Add(c => c.Consent, "marketing/youtube")
            .Add(c => c.Src, "https://www.youtube-nocookie.com/embed/x")
            .Add(c => c.Title, "Roasting")
            .AddUnmatched("allowfullscreen", true)
            .AddUnmatched("hidden", false));

        var request = Assert.Single(server.Requests);
        Assert.Equal("iframe", request.TagName);
        Assert.Equal("marketing/youtube", request.Argument);
        Assert.Equal(
            [new("src", "https://www.youtube-nocookie.com/embed/x"), new("title", "Roasting"), new KeyValuePair<string, string?>("allowfullscreen", null)],
            request.Attributes!);
    }

    [Fact]
    public void Preferences_button_with_content_keeps_the_tag_helpers_link_and_the_servers_url()
    {
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: false, server);

        var button = context.Render<ConsentPreferencesButton>(p => p.AddChildContent("Privacy <em>choices</em>"));

        Assert.Equal(MarkupKind.PreferencesUrl, Assert.Single(server.Requests).Kind);
        button.MarkupMatches("<a href=\"/page?fp-preferences=1\" data-fp-open-preferences class=\"fp-open-preferences\" data-enhance-nav=\"false\">Privacy <em>choices</em></a>");
    }

    [Fact]
    public void Interactive_render_takes_the_persisted_markup_inside_its_own_element_and_asks_no_server()
    {
        var request = new MarkupRequest(MarkupKind.Banner, "Dialog");
        var snapshot = new FirstPartySnapshot(FakeServer.Json(decided: false), "/_fp/consent", new() { [request.Key] = "<section data-fp-banner>persisted</section>" });
        var server = new FakeServer();
        using var context = Contexts.Create(interactive: true, server, persistence: true);
        context.Persisted().Persist(FirstPartySnapshot.PersistenceKey, snapshot.ToJson());

        var banner = context.Render<ConsentBanner>(p => p.Add(c => c.Layout, "Dialog"));

        Assert.Empty(server.Requests);
        banner.MarkupMatches("<fp-markup><section data-fp-banner>persisted</section></fp-markup>");
    }

    [Fact]
    public void Interactive_markup_component_starts_following_the_pages_decisions()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer());
        var module = context.JSInterop.SetupModule(FirstPartyStateStore.ModulePath);

        context.Render<ConsentBanner>();
        context.Render<CookieTable>();

        // One subscription per session, however many components ask.
        Assert.Single(module.Invocations, i => i.Identifier == "listen");
    }

    [Fact]
    public void Static_render_never_calls_javascript()
    {
        using var context = Contexts.Create(interactive: false, new FakeServer());
        context.JSInterop.Mode = JSRuntimeMode.Strict;

        context.Render<ConsentBanner>();
        context.Render<ConsentGate>(p => p.Add(c => c.Consent, "analytics"));

        Assert.Empty(context.JSInterop.Invocations);
    }
}
