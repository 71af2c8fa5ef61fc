using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

public sealed class RazorPagesSampleTests(WebApplicationFactory<IndexModel> factory) : IClassFixture<WebApplicationFactory<IndexModel>>
{
    [Fact]
    public async Task First_navigation_mints_visitor_and_session_cookies_and_shows_the_visitor()
    {
        var browser = SampleClient.Create(factory);

        var visit = await browser.NavigateAsync("/");

        Assert.Equal(200, visit.Status);
        var visitorCookie = visit.Cookie("_fp_id");
        var sessionCookie = visit.Cookie("_fp_ses");
        Assert.NotNull(visitorCookie);
        Assert.NotNull(sessionCookie);
        Assert.True(visitorCookie.HttpOnly);
        Assert.Equal("/", visitorCookie.Path.ToString());
        Assert.Equal(TimeSpan.FromDays(395), visitorCookie.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(30), sessionCookie.MaxAge);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, visitorCookie.SameSite);
        Assert.True(Guid.TryParseExact(visit.Data("data-visitor-id"), "D", out _));
        Assert.Equal("1", visit.Data("data-session-index"));
    }

    [Fact]
    public async Task Returning_visitor_keeps_its_id_and_gets_no_set_cookie()
    {
        var browser = SampleClient.Create(factory);
        var first = await browser.NavigateAsync("/");

        var second = await browser.NavigateAsync("/Menu");

        Assert.Empty(second.SetCookies);
        Assert.Equal(first.Data("data-visitor-id"), second.Data("data-visitor-id"));
        Assert.Equal(first.Data("data-session-id"), second.Data("data-session-id"));
    }

    [Fact]
    public async Task Api_requests_read_the_visitor_but_never_write_cookies()
    {
        var browser = SampleClient.Create(factory);
        var anonymous = await browser.FetchAsync("/api/visitor");
        Assert.Equal((int)HttpStatusCode.NoContent, anonymous.Status);
        Assert.Empty(anonymous.SetCookies);

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

        var visit = await browser.NavigateAsync("/healthz");

        Assert.Equal(200, visit.Status);
        Assert.Empty(visit.SetCookies);
    }

    [Fact]
    public async Task Crawlers_get_no_cookies_and_the_page_still_renders()
    {
        var browser = SampleClient.Create(factory);

        var visit = await browser.NavigateAsync("/", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

        Assert.Equal(200, visit.Status);
        Assert.Empty(visit.SetCookies);
        Assert.Contains("data-visitor-state=\"none\"", visit.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("1.%ZZ%")]
    [InlineData("2.AAAA")]
    [InlineData("1.CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Malformed_or_forged_visitor_cookie_is_replaced_without_failing_the_request(string value)
    {
        var browser = SampleClient.Create(factory);
        browser.Cookies["_fp_id"] = value;

        var visit = await browser.NavigateAsync("/");

        Assert.Equal(200, visit.Status);
        Assert.NotEqual(value, visit.Cookie("_fp_id")?.Value.ToString());
        Assert.Contains(" (new)", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_overrides_reach_the_middleware()
    {
        using var custom = factory.WithWebHostBuilder(b => b
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
}
