using System.Text.Json;
using BlazorSample.Components;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The Blazor Web App sample through WebApplicationFactory: its pages, the consent endpoints beside
/// Razor components, and Blazor's enhanced navigation counted as a page navigation.
/// </summary>
public sealed class BlazorSampleTests(SampleFactory<App> factory) : IClassFixture<SampleFactory<App>>
{
    public static TheoryData<string, string> Pages => new()
    {
        { "/", "Welcome to Harbour Coffee" },
        { "/server", "Order counter (Server)" },
        { "/webassembly", "Roast timer (WebAssembly)" },
        { "/video", "How we roast" },
        { "/privacy", "Privacy" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_renders_with_the_banner_until_a_decision(string path, string heading)
    {
        var client = SampleClient.Create(factory);

        var page = await client.NavigateAsync(path);

        Assert.Equal(200, page.Status);
        Assert.Contains($"<h1>{heading}</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-banner", page.Body, StringComparison.Ordinal);
        Assert.Contains("<script type=\"application/json\" id=\"fp-config\">", page.Body, StringComparison.Ordinal);
        Assert.Contains("_content/FirstParty.AspNetCore/firstparty.", page.Body, StringComparison.Ordinal);
        Assert.Equal("allow", page.ResponseHeaders["blazor-enhanced-nav"]);

        // OptIn: nothing but the antiforgery cookie before a decision, and the analytics scripts inert.
        Assert.DoesNotContain(page.Stored, c => c.Name.Value!.StartsWith("_fp_", StringComparison.Ordinal));
        Assert.Contains("<script type=\"text/plain\" data-fp-src=\"/js/analytics.js\" data-fp-consent=\"analytics\"", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src=\"/js/analytics.js\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_interactive_pages_are_prerendered_in_their_render_modes()
    {
        var client = SampleClient.Create(factory);

        var server = await client.NavigateAsync("/server");
        var wasm = await client.NavigateAsync("/webassembly");

        Assert.Contains("<!--Blazor:{\"type\":\"server\"", server.Body, StringComparison.Ordinal);
        Assert.Contains("<!--Blazor:{\"type\":\"webassembly\"", wasm.Body, StringComparison.Ordinal);
        Assert.Contains("BlazorSample.Client", wasm.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_banner_form_posts_to_the_consent_endpoint_and_the_next_page_has_no_banner()
    {
        var client = SampleClient.Create(factory);

        var decision = await client.ChooseAsync("accept-all", "/video");

        Assert.Equal(303, decision.Status);
        Assert.Equal("/video", decision.Location);
        Assert.NotNull(decision.Cookie("_fp_consent"));
        Assert.NotNull(decision.Cookie("_fp_id"));
        Assert.NotNull(decision.Cookie("_fp_ses"));
        var page = await client.NavigateAsync("/video");
        Assert.DoesNotContain("data-fp-banner", page.Body, StringComparison.Ordinal);
        Assert.Contains("<iframe src=\"/embed/roasting?autoplay=0\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/js/analytics.js\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("\"decided\":true", page.Body, StringComparison.Ordinal);

        var state = await client.SendAsync(HttpMethod.Get, "/_fp/consent");
        using var json = JsonDocument.Parse(state.Body);
        Assert.True(json.RootElement.GetProperty("decided").GetBoolean());
        Assert.True(json.RootElement.GetProperty("categories").GetProperty("analytics").GetBoolean());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", json.RootElement.GetProperty("visitor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_embed_placeholder_allows_its_service_only()
    {
        var client = SampleClient.Create(factory);
        var page = await client.NavigateAsync("/video");
        Assert.Contains("data-fp-placeholder=\"marketing/youtube\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("<template data-fp-embed><iframe src=\"/embed/roasting?autoplay=0\"", page.Body, StringComparison.Ordinal);

        var decision = await client.PostFormAsync("/video", "/_fp/consent", ("choice", "custom"), ("service", "marketing/youtube"), ("returnUrl", "/video"));

        Assert.Equal(303, decision.Status);
        var state = await client.SendAsync(HttpMethod.Get, "/_fp/consent");
        using var json = JsonDocument.Parse(state.Body);
        Assert.True(json.RootElement.GetProperty("services").GetProperty("marketing/youtube").GetBoolean());
        Assert.False(json.RootElement.GetProperty("categories").GetProperty("analytics").GetBoolean());
        Assert.DoesNotContain("data-fp-placeholder", (await client.NavigateAsync("/video")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enhanced_navigation_after_the_session_timeout_gets_a_new_session_and_keeps_blazors_header()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var timed = factory.WithWebHostBuilder(b => b.UseFakeTime(time));
        var client = SampleClient.Create(timed);
        await client.ChooseAsync("accept-all", "/");
        var first = client.Cookies["_fp_ses"];
        var firstState = await SessionAsync(client);

        // Within the timeout an enhanced navigation keeps the session.
        time.Advance(TimeSpan.FromMinutes(10));
        var within = await client.EnhancedNavigateAsync("/privacy");
        Assert.Equal(200, within.Status);
        Assert.Equal(firstState, await SessionAsync(client));

        // Past the timeout (30 minutes) from the last navigation: a new session, as on a full load.
        time.Advance(TimeSpan.FromMinutes(31));
        var after = await client.EnhancedNavigateAsync("/video");

        Assert.Equal(200, after.Status);
        Assert.Equal("allow", after.ResponseHeaders["blazor-enhanced-nav"]);
        var renewed = after.Cookie("_fp_ses");
        Assert.NotNull(renewed);
        Assert.NotEqual(first, renewed.Value.ToString());
        var next = await SessionAsync(client);
        Assert.NotEqual(firstState.SessionId, next.SessionId);
        Assert.Equal(firstState.SessionIndex + 1, next.SessionIndex);
        Assert.Contains($"data-session-id>{next.SessionId}<", after.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetch_that_is_not_an_enhanced_navigation_never_starts_a_session()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var timed = factory.WithWebHostBuilder(b => b.UseFakeTime(time));
        var client = SampleClient.Create(timed);
        await client.ChooseAsync("accept-all", "/");
        var first = await SessionAsync(client);

        time.Advance(TimeSpan.FromMinutes(31));
        var fetch = await client.FetchAsync("/video");

        Assert.Equal(200, fetch.Status);
        Assert.Null(fetch.Cookie("_fp_ses"));

        // The old session has lapsed and no new one began: still the first visit.
        var after = await SessionAsync(client);
        Assert.NotEqual(first.SessionId, after.SessionId);
        Assert.Equal(first.SessionIndex, after.SessionIndex);
    }

    private static async Task<(string? SessionId, int SessionIndex)> SessionAsync(SampleClient client)
    {
        var state = await client.SendAsync(HttpMethod.Get, "/_fp/consent");
        using var json = JsonDocument.Parse(state.Body);
        var visitor = json.RootElement.GetProperty("visitor");
        return (visitor.GetProperty("sessionId").GetString(), visitor.GetProperty("sessionIndex").GetInt32());
    }
}
