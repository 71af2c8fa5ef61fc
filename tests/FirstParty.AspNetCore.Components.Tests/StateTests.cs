using Bunit;
using Bunit.TestDoubles;
using FirstParty.AspNetCore.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Components.Tests;

/// <summary>The cascading state: from the request, persisted for the interactive side, restored there, updated by decisions.</summary>
public sealed class StateTests
{
    private const string Accepted = """{"decided":true,"consentId":"consent-2","revision":3,"regime":"OptIn","region":"EU","gpc":false,"categories":{"necessary":true,"analytics":true,"marketing":true},"services":{"marketing/youtube":true},"visitor":{"id":"v-9","sessionId":"s-9","sessionIndex":1,"newSession":true}}""";

    [Fact]
    public void Static_render_cascades_the_requests_state()
    {
        var server = new FakeServer { State = FakeServer.Json(decided: true, visitor: "v-1", "analytics") };
        using var context = Contexts.Create(interactive: false, server);

        var probe = context.Render<StateProbe>();

        probe.MarkupMatches("<p id=\"probe\">decided=True analytics=True regime=OptIn id=consent-1 visitor=v-1</p>");
    }

    [Fact]
    public void Without_a_visitor_the_visitor_state_is_null_and_without_a_server_nothing_is_granted()
    {
        using var context = Contexts.Create(interactive: false, server: null);

        var probe = context.Render<StateProbe>();

        probe.MarkupMatches("<p id=\"probe\">decided=False analytics=False regime= id= visitor=none</p>");
    }

    [Fact]
    public void Prerendering_persists_the_state_and_the_markup_of_a_component_that_becomes_interactive()
    {
        var server = new FakeServer { State = FakeServer.Json(decided: false, visitor: "v-1") };
        using var context = Contexts.Create(interactive: false, server, persistence: true);
        context.Render<ConsentBanner>(p => p.SetAssignedRenderMode(Microsoft.AspNetCore.Components.Web.RenderMode.InteractiveServer));
        var persistence = context.Persisted();

        persistence.TriggerOnPersisting();

        var snapshot = Persisted(persistence);
        Assert.Equal(server.State, snapshot.Consent with { Categories = server.State.Categories, Services = server.State.Services });
        Assert.Equal(server.State.Categories, snapshot.Consent.Categories);
        Assert.Equal("/_fp/consent", snapshot.Endpoint);
        var request = Assert.Single(server.Requests);
        Assert.Equal(FakeServer.MarkupFor(request), snapshot.Markup[request.Key]);
    }

    [Fact]
    public void A_statically_rendered_component_leaves_its_markup_out_of_the_persisted_state()
    {
        var server = new FakeServer { State = FakeServer.Json(decided: false, visitor: "v-1") };
        using var context = Contexts.Create(interactive: false, server, persistence: true);
        var banner = context.Render<ConsentBanner>();
        var persistence = context.Persisted();

        persistence.TriggerOnPersisting();

        // Rendered on the page as usual, but not carried a second time in the state comments.
        var request = Assert.Single(server.Requests);
        Assert.Contains(FakeServer.MarkupFor(request), banner.Markup, StringComparison.Ordinal);
        var snapshot = Persisted(persistence);
        Assert.Empty(snapshot.Markup);
        Assert.Equal("v-1", snapshot.Consent.Visitor?.Id);
    }

    [Fact]
    public void A_persisted_state_that_is_not_a_snapshot_falls_back_to_the_server()
    {
        var server = new FakeServer { State = FakeServer.Json(decided: true, visitor: "v-3", "analytics") };
        using var context = Contexts.Create(interactive: true, server, persistence: true);
        context.Persisted().Persist(FirstPartySnapshot.PersistenceKey, "[1, 2, 3]");

        var probe = context.Render<StateProbe>();

        probe.MarkupMatches("<p id=\"probe\">decided=True analytics=True regime=OptIn id=consent-1 visitor=v-3</p>");
    }

    /// <summary>The snapshot the store persisted.</summary>
    private static FirstPartySnapshot Persisted(BunitPersistentComponentState persistence)
    {
        Assert.True(persistence.TryTake<string>(FirstPartySnapshot.PersistenceKey, out var json));
        return FirstPartySnapshot.FromJson(json!)!;
    }

    [Fact]
    public void Interactive_side_restores_the_persisted_state_without_asking_the_server()
    {
        var snapshot = new FirstPartySnapshot(FakeServer.Json(decided: true, visitor: "v-7", "analytics"), "/_fp/consent", []);
        var server = new FakeServer { State = FakeServer.Json(decided: false) };
        using var context = Contexts.Create(interactive: true, server, persistence: true);
        context.Persisted().Persist(FirstPartySnapshot.PersistenceKey, snapshot.ToJson());

        var probe = context.Render<StateProbe>();

        probe.MarkupMatches("<p id=\"probe\">decided=True analytics=True regime=OptIn id=consent-1 visitor=v-7</p>");
    }

    [Fact]
    public async Task A_decision_on_the_page_updates_the_cascading_state_and_re_renders()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer { State = FakeServer.Json(decided: false) });
        var gate = context.Render<ConsentGate>(p => p
            .Add(c => c.Consent, "analytics")
            .AddChildContent("<p>chart</p>")
            .Add(c => c.Fallback, "<p>allow analytics</p>"));
        var probe = context.Render<StateProbe>();
        gate.MarkupMatches("<p>allow analytics</p>");

        // What firstparty-components.js sends on firstparty:change: the consent endpoint's JSON answer.
        await gate.InvokeAsync(() => context.Services.GetRequiredService<FirstPartyStateStore>().OnChanged(Accepted, partial: false));

        gate.MarkupMatches("<p>chart</p>");
        probe.MarkupMatches("<p id=\"probe\">decided=True analytics=True regime=OptIn id=consent-2 visitor=v-9</p>");
    }

    [Fact]
    public async Task An_enhanced_update_applies_the_scripts_partial_state_and_keeps_the_rest()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer { State = FakeServer.Json(decided: false, visitor: "v-1") });
        var probe = context.Render<StateProbe>();

        await probe.InvokeAsync(() => context.Services.GetRequiredService<FirstPartyStateStore>()
            .OnChanged("""{"decided":true,"categories":{"necessary":true,"analytics":true},"services":{}}""", partial: true));

        probe.MarkupMatches("<p id=\"probe\">decided=True analytics=True regime=OptIn id= visitor=v-1</p>");
    }

    [Fact]
    public void A_webassembly_client_follows_the_pages_decisions_as_soon_as_a_component_reads_the_state()
    {
        // No server side: a WebAssembly app, which lives on across pages where the visitor may decide.
        using var context = Contexts.Create(interactive: true, server: null);
        var module = context.JSInterop.SetupModule(FirstPartyStateStore.ModulePath);

        context.Render<StateProbe>();

        Assert.Single(module.Invocations, i => i.Identifier == "listen");
    }

    [Fact]
    public void On_the_server_reading_the_state_alone_calls_no_javascript()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer());
        var module = context.JSInterop.SetupModule(FirstPartyStateStore.ModulePath);

        context.Render<StateProbe>();

        Assert.Empty(module.Invocations);
    }

    [Fact]
    public async Task FirstPartyConsent_posts_through_the_module_and_applies_the_answer()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer { State = FakeServer.Json(decided: false) });
        var module = context.JSInterop.SetupModule(FirstPartyStateStore.ModulePath);
        module.Setup<string>("decide", i => (string?)i.Arguments[0] == "/_fp/consent" && (string?)i.Arguments[1] == "accept-all").SetResult(Accepted);
        var gate = context.Render<ConsentGate>(p => p.Add(c => c.Consent, "marketing/youtube").AddChildContent("<iframe></iframe>").Add(c => c.Fallback, "<p>video</p>"));

        var state = await gate.InvokeAsync(() => context.Services.GetRequiredService<FirstPartyConsent>().AcceptAllAsync());

        Assert.True(state.Decided);
        Assert.True(state.IsGranted("marketing/youtube"));
        gate.MarkupMatches("<iframe></iframe>");
    }

    [Fact]
    public async Task FirstPartyConsent_sends_the_chosen_keys()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer());
        var module = context.JSInterop.SetupModule(FirstPartyStateStore.ModulePath);
        var decide = module.Setup<string>("decide", _ => true);
        decide.SetResult(Accepted);

        await context.Services.GetRequiredService<FirstPartyConsent>().SaveAsync(["analytics", "marketing/youtube"]);

        var invocation = Assert.Single(decide.Invocations);
        Assert.Equal("custom", invocation.Arguments[1]);
        Assert.Equal(["analytics", "marketing/youtube"], Assert.IsType<string[]>(invocation.Arguments[2]));
    }

    [Theory]
    [InlineData("analytics", true)]
    [InlineData("marketing", false)]
    [InlineData("marketing/youtube", true)]
    [InlineData("marketing/vimeo", false)]
    [InlineData("!analytics", false)]
    [InlineData("unknown", false)]
    public void IsGranted_follows_the_cores_rule(string key, bool granted)
    {
        var state = new ConsentState(true, new Dictionary<string, bool> { ["analytics"] = true, ["marketing"] = false }, new Dictionary<string, bool> { ["marketing/youtube"] = true });

        Assert.Equal(granted, state.IsGranted(key));
    }
}
