using Bunit;
using FirstParty.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components.Tests;

/// <summary><c>&lt;ConsentGate&gt;</c>: the consent-block tag helper's rules, in static and interactive renders.</summary>
public sealed class ConsentGateTests
{
    private static IRenderedComponent<ConsentGate> Render(BunitContext context, string key)
        => context.Render<ConsentGate>(p => p
            .Add(c => c.Consent, key)
            .AddChildContent("<p>content</p>")
            .Add(c => c.Fallback, "<p>fallback</p>"));

    [Fact]
    public void Granted_renders_the_content_without_wrapper_or_fallback()
    {
        using var context = Contexts.Create(interactive: false, new FakeServer { State = FakeServer.Json(true, null, "analytics") });

        Render(context, "analytics").MarkupMatches("<p>content</p>");
    }

    [Fact]
    public void Static_not_granted_renders_the_consent_block_placeholder_for_the_script_to_swap()
    {
        using var context = Contexts.Create(interactive: false, new FakeServer { State = FakeServer.Json(true) });

        // The markup <consent-block consent="analytics"> renders for the same state.
        Assert.Equal(
            "<div data-fp-placeholder=\"analytics\" data-fp-block><template data-fp-embed><p>content</p></template><p>fallback</p></div>",
            Render(context, " analytics ").Markup);
    }

    [Fact]
    public void Interactive_not_granted_renders_only_the_fallback()
    {
        using var context = Contexts.Create(interactive: true, new FakeServer { State = FakeServer.Json(true) });

        Render(context, "analytics").MarkupMatches("<p>fallback</p>");
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Negated_key_shows_the_content_only_while_not_granted(bool marketing, bool shown)
    {
        var granted = marketing ? new[] { "marketing" } : [];
        using var context = Contexts.Create(interactive: false, new FakeServer { State = FakeServer.Json(true, null, granted) });

        var gate = Render(context, "!marketing");

        Assert.Equal(shown ? "<p>content</p>" : string.Empty, gate.Markup);
    }

    [Fact]
    public void A_service_key_follows_the_services_own_answer()
    {
        using var context = Contexts.Create(interactive: false, new FakeServer { State = FakeServer.Json(true, null, "marketing/youtube") });

        Render(context, "marketing/youtube").MarkupMatches("<p>content</p>");
    }
}
