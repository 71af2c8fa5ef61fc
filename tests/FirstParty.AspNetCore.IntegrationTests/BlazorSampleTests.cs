using System.Text.Json;
using System.Text.RegularExpressions;
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
        Assert.Equal("allow", page.ResponseHeaders["blazor-enhanced-nav"]);

        // <ConsentBanner />: the tag helper's banner, a plain form to the consent endpoint with its
        // antiforgery field, the script configuration and FirstParty's own assets.
        Assert.Matches("<section[^>]* data-fp-banner", page.Body);
        Assert.Matches("(?s)<form[^>]*action=\"/_fp/consent\".*?<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"[^\"]+\"", page.Body);
        Assert.Contains("<script type=\"application/json\" id=\"fp-config\">", page.Body, StringComparison.Ordinal);
        Assert.Matches("<link rel=\"stylesheet\" href=\"/_content/FirstParty.AspNetCore/firstparty.css", page.Body);
        Assert.Matches("<script src=\"/_content/FirstParty.AspNetCore/firstparty.js[^\"]*\" defer nonce=\"[^\"]+\"", page.Body);

        // OptIn: nothing but the antiforgery cookie before a decision; <GatedScript> and the Snowplow
        // <TrackingSnippet> inert, in the data-permanent region, with the request's nonce.
        Assert.DoesNotContain(page.Stored, c => c.Name.Value!.StartsWith("_fp_", StringComparison.Ordinal));
        var permanent = Regex.Match(page.Body, "(?s)<div data-permanent=\"fp-gated-scripts\" hidden>(.*?)</div>").Groups[1].Value;
        Assert.Matches("<script nonce=\"[^\"]+\" data-fp-src=\"/js/analytics.js\" data-fp-consent=\"analytics\" type=\"text/plain\">", permanent);
        Assert.Matches("<script[^>]* type=\"text/plain\" data-fp-consent=\"analytics\" data-fp-src=\"/sdk/snowplow/index.umd.min.js\">", permanent);
        Assert.Matches("<script[^>]* type=\"text/plain\" data-fp-consent=\"analytics\">[^<]*snowplowBrowserTracking.newTracker", permanent);
        Assert.DoesNotMatch("<script[^>]* src=\"/(js/analytics|sdk/snowplow)", page.Body);
        // <ConsentPreferencesButton />: kept out of Blazor's enhanced navigation, which would merge a second banner.
        Assert.Matches("<a data-enhance-nav=\"false\" href=\"[^\"]*fp-preferences=1\" data-fp-open-preferences", page.Body);
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
        Assert.Matches("<script[^>]* src=\"/js/analytics.js\"", page.Body);
        Assert.Matches("<script[^>]* src=\"/sdk/snowplow/index.umd.min.js\"", page.Body);
        Assert.DoesNotContain("type=\"text/plain\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("\"decided\":true", page.Body, StringComparison.Ordinal);

        var state = await client.SendAsync(HttpMethod.Get, "/_fp/consent");
        using var json = JsonDocument.Parse(state.Body);
        Assert.True(json.RootElement.GetProperty("decided").GetBoolean());
        Assert.True(json.RootElement.GetProperty("categories").GetProperty("analytics").GetBoolean());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", json.RootElement.GetProperty("visitor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_interactive_pages_prerender_the_cascading_state_refused_then_granted_with_the_visitor()
    {
        var client = SampleClient.Create(factory);
        foreach (var path in new[] { "/server", "/webassembly" })
        {
            var before = await client.NavigateAsync(path);
            Assert.Contains("<dd data-consent-analytics>refused</dd>", before.Body, StringComparison.Ordinal);
            Assert.Contains("<code data-summary-visitor-id>none</code>", before.Body, StringComparison.Ordinal);
        }

        await client.ChooseAsync("accept-all", "/");
        var state = await client.SendAsync(HttpMethod.Get, "/_fp/consent");
        using var json = JsonDocument.Parse(state.Body);
        var visitorId = json.RootElement.GetProperty("visitor").GetProperty("id").GetString();

        foreach (var path in new[] { "/server", "/webassembly" })
        {
            var after = await client.NavigateAsync(path);
            Assert.Contains("<dd data-consent-analytics>granted</dd>", after.Body, StringComparison.Ordinal);
            Assert.Contains($"<code data-summary-visitor-id>{visitorId}</code>", after.Body, StringComparison.Ordinal);
        }

        // The state goes to the WebAssembly app in the page's persisted component state, not by a second request.
        Assert.Contains("<!--Blazor-WebAssembly-Component-State:", (await client.NavigateAsync("/webassembly")).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/privacy")]
    [InlineData("/")]
    [InlineData("/webassembly")]
    public async Task The_persisted_state_carries_the_consent_state_but_not_the_markup_of_statically_rendered_components(string path)
    {
        var client = SampleClient.Create(factory);

        var page = await client.NavigateAsync(path);

        // The WebAssembly copy is readable: base64 of a JSON object whose values are base64 of JSON.
        var comment = Regex.Match(page.Body, "<!--Blazor-WebAssembly-Component-State:([A-Za-z0-9+/=]+)-->");
        Assert.True(comment.Success, "no WebAssembly state on " + path);
        using var entries = JsonDocument.Parse(Convert.FromBase64String(comment.Groups[1].Value));
        var ours = JsonSerializer.Deserialize<string>(Convert.FromBase64String(entries.RootElement.GetProperty("FirstParty.AspNetCore.Components").GetString()!))!;
        using var snapshot = JsonDocument.Parse(ours);
        Assert.False(snapshot.RootElement.GetProperty("consent").GetProperty("decided").GetBoolean());
        Assert.Empty(snapshot.RootElement.GetProperty("markup").EnumerateObject());

        // The banner, the privacy centre and the cookie table are on the page once, not again in its state.
        Assert.DoesNotContain("data-fp-banner", ours, StringComparison.Ordinal);
        Assert.True(comment.Length < 4096, $"{comment.Length} characters of WebAssembly state on {path}");
    }

    [Fact]
    public async Task The_privacy_page_has_the_privacy_centre_and_the_cookie_table()
    {
        var client = SampleClient.Create(factory);

        var page = await client.NavigateAsync("/privacy");

        Assert.Matches("<section class=\"fp-centre\" data-fp-centre data-consent-state=\"undecided\"", page.Body);
        Assert.Matches("<li data-fp-choice=\"analytics\" data-granted=\"false\"", page.Body);
        Assert.Matches("<form method=\"post\" action=\"/_fp/forget\"[^>]*data-fp-forget", page.Body);
        Assert.Matches("(?s)<table.*?_fp_id.*?</table>", page.Body);
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
