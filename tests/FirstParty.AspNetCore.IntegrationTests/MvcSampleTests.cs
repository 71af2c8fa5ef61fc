using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MvcSample.Controllers;

namespace FirstParty.AspNetCore.IntegrationTests;

public sealed class MvcSampleTests(SampleFactory<HomeController> factory) : IClassFixture<SampleFactory<HomeController>>
{
    [Fact]
    public async Task Controller_views_ask_first_then_see_the_visitor_minted_on_consent()
    {
        var browser = SampleClient.Create(factory);

        var before = await browser.NavigateAsync("/");
        var answer = await browser.ChooseAsync("accept-all", "/Home/Catalogue");
        var after = await browser.NavigateAsync("/Home/Catalogue");

        Assert.Null(before.Cookie("_fp_id"));
        Assert.Contains("data-fp-banner", before.Body, StringComparison.Ordinal);
        Assert.Contains("No visitor id on this request.", before.Body, StringComparison.Ordinal);
        Assert.Equal("/Home/Catalogue", answer.Location);
        Assert.NotNull(answer.Cookie("_fp_id"));
        Assert.NotNull(answer.Cookie("_fp_ses"));
        Assert.True(Guid.TryParseExact(after.Data("data-session-id"), "D", out _));
    }

    [Fact]
    public async Task A_country_mapped_to_opt_out_gets_cookies_without_asking()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US";

        var visit = await browser.NavigateAsync("/");

        Assert.NotNull(visit.Cookie("_fp_id"));
        Assert.Contains("Welcome, first-time visitor.", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_page_is_the_same_visit_of_the_same_visitor()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        var home = await browser.NavigateAsync("/");

        var catalogue = await browser.NavigateAsync("/Home/Catalogue");
        var homeAgain = await browser.NavigateAsync("/");

        Assert.Empty(catalogue.Stored);
        Assert.True(Guid.TryParseExact(catalogue.Data("data-session-id"), "D", out _));
        Assert.Contains("Welcome back: this is visit 1.", homeAgain.Body, StringComparison.Ordinal);
        Assert.Empty(homeAgain.Stored);
        Assert.Equal(
            System.Text.RegularExpressions.Regex.Match(home.Body, "data-visitor-id=\"([^\"]+)\"").Groups[1].Value,
            System.Text.RegularExpressions.Regex.Match(homeAgain.Body, "data-visitor-id=\"([^\"]+)\"").Groups[1].Value);
    }

    [Fact]
    public async Task Controller_marked_DisableVisitorCookies_never_mints()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US";

        var visit = await browser.NavigateAsync("/status");

        Assert.Equal(200, visit.Status);
        Assert.Empty(visit.SetCookies);
    }

    [Fact]
    public async Task Https_requests_get_secure_cookies()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://shop.example.co.uk"), HandleCookies = false });
        var browser = new SampleClient(client);
        browser.Headers["X-Region"] = "US";

        var visit = await browser.NavigateAsync("/");

        var cookie = visit.Cookie("_fp_id");
        Assert.NotNull(cookie);
        Assert.True(cookie.Secure);
        Assert.Equal("example.co.uk", cookie.Domain.ToString());
    }

    [Fact]
    public async Task SameSite_None_without_Secure_is_rejected_at_startup()
    {
        using var broken = factory.WithWebHostBuilder(b => b.UseSetting("FirstParty:Cookies:SameSite", "None"));

        var error = await Record.ExceptionAsync(() => Task.FromResult(broken.CreateClient()));

        Assert.NotNull(error);
        Assert.Contains("FirstParty:Cookies:SameSite", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TempData_and_session_work_before_any_consent_decision()
    {
        var browser = SampleClient.Create(factory);

        var reserved = await browser.PostFormAsync("/", "/Home/Reserve", ("title", "Tides and Timetables"));
        var home = await browser.NavigateAsync(reserved.Location!);
        await browser.PostFormAsync("/Home/Catalogue", "/Home/Wish");
        var catalogue = await browser.NavigateAsync("/Home/Catalogue");

        Assert.Contains("Reserved: Tides and Timetables.", home.Body, StringComparison.Ordinal);
        Assert.Equal("1", catalogue.Data("data-wishlist"));
        Assert.Contains("data-fp-banner", catalogue.Body, StringComparison.Ordinal);
        Assert.False(browser.Cookies.ContainsKey("_fp_id"));
    }
}
