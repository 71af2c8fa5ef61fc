using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

public sealed class RazorPagesSampleTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task Before_consent_the_page_asks_and_stores_nothing_but_the_antiforgery_token()
    {
        var browser = SampleClient.Create(factory);

        var visit = await browser.NavigateAsync("/");

        Assert.Equal(200, visit.Status);
        Assert.Contains("data-fp-banner", visit.Body, StringComparison.Ordinal);
        Assert.Contains("value=\"accept-all\"", visit.Body, StringComparison.Ordinal);
        Assert.Contains("value=\"reject-all\"", visit.Body, StringComparison.Ordinal);
        Assert.All(visit.Stored, c => Assert.StartsWith(".AspNetCore.Antiforgery.", c.Name.ToString(), StringComparison.Ordinal));
        Assert.Contains("data-visitor-state=\"none\"", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepting_mints_the_visitor_on_the_answer_and_the_next_page_shows_it()
    {
        var browser = SampleClient.Create(factory);

        var answer = await browser.ChooseAsync("accept-all", "/Menu");

        Assert.Equal(303, answer.Status);
        Assert.Equal("/Menu", answer.Location);
        var consent = answer.Cookie("_fp_consent");
        var visitorCookie = answer.Cookie("_fp_id");
        var sessionCookie = answer.Cookie("_fp_ses");
        Assert.NotNull(consent);
        Assert.NotNull(visitorCookie);
        Assert.NotNull(sessionCookie);
        Assert.True(consent.HttpOnly);
        Assert.Equal(TimeSpan.FromDays(395), consent.MaxAge);
        Assert.True(visitorCookie.HttpOnly);
        Assert.Equal("/", visitorCookie.Path.ToString());
        Assert.Equal(TimeSpan.FromDays(395), visitorCookie.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(30), sessionCookie.MaxAge);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, visitorCookie.SameSite);

        var page = await browser.NavigateAsync("/Menu");
        Assert.Empty(page.Stored);
        Assert.DoesNotContain("data-fp-banner", page.Body, StringComparison.Ordinal);
        Assert.True(Guid.TryParseExact(page.Data("data-visitor-id"), "D", out _));
        Assert.Equal("1", page.Data("data-session-index"));
    }

    [Fact]
    public async Task Returning_visitor_keeps_its_id_and_gets_no_set_cookie()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        var first = await browser.NavigateAsync("/");

        var second = await browser.NavigateAsync("/Menu");

        Assert.Empty(second.Stored);

        // Both pages must show an id: two missing ids would otherwise compare equal.
        Assert.True(Guid.TryParseExact(first.Data("data-visitor-id"), "D", out var visitorId));
        Assert.False(string.IsNullOrEmpty(first.Data("data-session-id")));
        Assert.Equal(first.Data("data-visitor-id"), second.Data("data-visitor-id"));
        Assert.Equal(first.Data("data-session-id"), second.Data("data-session-id"));
        Assert.Equal(visitorId.ToString("D"), CompactCookieValues.Id(browser.Cookies["_fp_id"]));
    }

    [Fact]
    public async Task After_accept_all_the_three_first_party_cookies_fit_in_250_bytes_of_cookie_header()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        await browser.NavigateAsync("/");

        var header = string.Join("; ", new[] { "_fp_id", "_fp_ses", "_fp_consent" }.Select(name => $"{name}={browser.Cookies[name]}"));
        Assert.True(header.Length <= 250, $"{header.Length} bytes: {header}");
        Assert.All(new[] { "_fp_id", "_fp_ses", "_fp_consent" }, name => Assert.StartsWith("3", browser.Cookies[name], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rejecting_stores_the_refusal_and_no_visitor()
    {
        var browser = SampleClient.Create(factory);

        var answer = await browser.ChooseAsync("reject-all");
        var page = await browser.NavigateAsync("/");

        Assert.Equal(TimeSpan.FromDays(182), answer.Cookie("_fp_consent")?.MaxAge);
        Assert.Null(answer.Cookie("_fp_id"));
        Assert.Empty(page.Stored);
        Assert.DoesNotContain("data-fp-banner", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-visitor-state=\"none\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdrawing_on_the_privacy_page_deletes_the_visitor_cookies()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        Assert.True(browser.Cookies.ContainsKey("_fp_id"));

        var answer = await browser.ChooseAsync("withdraw", "/Privacy");
        var privacy = await browser.NavigateAsync("/Privacy");

        Assert.True(answer.Deletes("_fp_id"));
        Assert.True(answer.Deletes("_fp_ses"));
        Assert.False(browser.Cookies.ContainsKey("_fp_id"));
        Assert.Contains("data-fp-choice=\"analytics\" data-granted=\"false\"", privacy.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custom_choice_grants_only_the_checked_categories()
    {
        var browser = SampleClient.Create(factory);

        await browser.ChooseAsync("custom", "/", "preferences");
        var state = await browser.FetchAsync("/_fp/consent");

        using var json = JsonDocument.Parse(state.Body);
        var categories = json.RootElement.GetProperty("categories");
        Assert.True(categories.GetProperty("necessary").GetBoolean());
        Assert.True(categories.GetProperty("preferences").GetBoolean());
        Assert.False(categories.GetProperty("analytics").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("visitor").ValueKind);
        Assert.False(browser.Cookies.ContainsKey("_fp_id"));
    }

    [Fact]
    public async Task A_region_with_an_opt_out_regime_gets_visitor_cookies_without_asking()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US-CA";

        var visit = await browser.NavigateAsync("/");

        Assert.NotNull(visit.Cookie("_fp_id"));
        Assert.Contains("data-fp-banner", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_requests_read_the_visitor_but_never_write_cookies()
    {
        var browser = SampleClient.Create(factory);
        var anonymous = await browser.FetchAsync("/api/visitor");
        Assert.Equal((int)HttpStatusCode.NoContent, anonymous.Status);
        Assert.Empty(anonymous.SetCookies);

        await browser.ChooseAsync("accept-all");
        var page = await browser.NavigateAsync("/");
        var api = await browser.FetchAsync("/api/visitor");

        Assert.Empty(api.SetCookies);
        using var json = JsonDocument.Parse(api.Body);
        Assert.Equal(page.Data("data-visitor-id"), json.RootElement.GetProperty("visitorId").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("sessionIndex").GetInt32());
    }

    [Fact]
    public async Task Health_endpoint_opted_out_never_mints()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        browser.Cookies.Remove("_fp_id");
        browser.Cookies.Remove("_fp_ses");

        var visit = await browser.NavigateAsync("/healthz");

        Assert.Equal(200, visit.Status);
        Assert.Empty(visit.SetCookies);
    }

    [Fact]
    public async Task Crawlers_get_no_visitor_cookies_and_the_page_still_renders()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US-CA";

        var visit = await browser.NavigateAsync("/", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

        Assert.Equal(200, visit.Status);
        Assert.Null(visit.Cookie("_fp_id"));
        Assert.Contains("data-visitor-state=\"none\"", visit.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("1.%ZZ%")]
    [InlineData("3.AAAA")]
    [InlineData("2.abcdefgh.AAAAAAAAAAAAAAAAAAAAAA.0f8c2a8e-5b9d-4c4e-8d7a-3f0f6a9b1c2d.1790000000.1.6a1d3e0c-9b8f-4a7e-b1c2-d3e4f5a6b7c8.1790000000")]
    public async Task Malformed_or_forged_visitor_cookie_is_replaced_without_failing_the_request(string value)
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        browser.Cookies["_fp_id"] = value;

        var visit = await browser.NavigateAsync("/");

        Assert.Equal(200, visit.Status);
        Assert.NotEqual(value, visit.Cookie("_fp_id")?.Value.ToString());
        Assert.Contains(" (new)", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_form_post_without_the_antiforgery_token_is_refused()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.PostAsync("/_fp/consent", new FormUrlEncodedContent([new("choice", "accept-all")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Gpc_support_is_declared_at_the_well_known_address()
    {
        var browser = SampleClient.Create(factory);

        var gpc = await browser.FetchAsync("/.well-known/gpc.json");

        using var json = JsonDocument.Parse(gpc.Body);
        Assert.True(json.RootElement.GetProperty("gpc").GetBoolean());
        Assert.Equal("2026-11-24", json.RootElement.GetProperty("lastUpdate").GetString());
    }

    [Fact]
    public async Task Configuration_overrides_reach_the_middleware()
    {
        using var custom = factory.WithWebHostBuilder(b => b
            .UseSetting("FirstParty:Consent:Regions:*", "Implied")
            .UseSetting("FirstParty:Visitor:CookieName", "vid")
            .UseSetting("FirstParty:Session:Timeout", "00:10:00"));
        var browser = SampleClient.Create(custom);

        var visit = await browser.NavigateAsync("/");

        Assert.NotNull(visit.Cookie("vid"));
        Assert.Null(visit.Cookie("_fp_id"));
        Assert.Equal(TimeSpan.FromMinutes(10), visit.Cookie("_fp_ses")?.MaxAge);
    }

    [Fact]
    public void Invalid_configuration_stops_the_app_with_the_option_name()
    {
        using var broken = factory.WithWebHostBuilder(b => b.UseSetting("FirstParty:Visitor:Lifetime", "500.00:00:00"));

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("FirstParty:Visitor:Lifetime", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "Strictly necessary", "Analytics")]
    [InlineData("fr", "Strictement nécessaires", "Mesure d&#x27;audience")]
    [InlineData("de", "Unbedingt erforderlich", "Statistik")]
    public async Task The_consent_form_speaks_the_request_language_and_lists_services(string culture, string necessary, string analytics)
    {
        var browser = SampleClient.Create(factory);

        var page = await browser.NavigateAsync($"/?culture={culture}");

        Assert.Contains(necessary, page.Body, StringComparison.Ordinal);
        Assert.Contains(analytics, page.Body, StringComparison.Ordinal);
        Assert.Contains("name=\"service\" value=\"marketing/youtube\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("name=\"service\" value=\"marketing/vimeo\"", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_new_policy_revision_the_form_asks_again_pre_filled_with_the_previous_choices()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("custom", "/", "preferences");
        var consentId = System.Text.Json.JsonDocument.Parse((await browser.FetchAsync("/_fp/consent")).Body).RootElement.GetProperty("consentId").GetString();

        // The revised deployment runs on the same database, which holds the key ring the cookies were signed with.
        var ledger = factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("Ledger");
        using var revised = factory.WithWebHostBuilder(b => b
            .UseSetting("FirstParty:Consent:Revision", "2")
            .UseSetting("ConnectionStrings:Ledger", ledger));
        var again = SampleClient.Create(revised);
        foreach (var (name, value) in browser.Cookies)
        {
            again.Cookies[name] = value;
        }

        var page = await again.NavigateAsync("/");
        var state = System.Text.Json.JsonDocument.Parse((await again.FetchAsync("/_fp/consent")).Body).RootElement;

        Assert.Contains("Our cookie policy has changed", page.Body, StringComparison.Ordinal);
        Assert.Matches("value=\"preferences\" checked=\"checked\"", page.Body);
        Assert.DoesNotMatch("value=\"analytics\" checked=\"checked\"", page.Body);
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(consentId, state.GetProperty("consentId").GetString());
    }
}
