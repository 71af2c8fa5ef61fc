using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

public sealed class VisitorCookieBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Fact]
    public async Task Nothing_but_the_antiforgery_cookie_is_stored_before_a_choice()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/"));

        Assert.True(await page.Locator("[data-fp-banner]").IsVisibleAsync());
        var cookies = await context.CookiesAsync();
        Assert.All(cookies, c => Assert.StartsWith(".AspNetCore.Antiforgery.", c.Name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Accept_all_stores_HttpOnly_server_cookies_with_their_full_lifetime(bool javaScriptEnabled)
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScriptEnabled });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));

        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        // With JavaScript the choice is saved without a reload; load the page to see the visitor.
        await page.GotoAsync(Url("/Menu"));

        var cookies = await context.CookiesAsync();
        var visitor = Assert.Single(cookies, c => c.Name == "_fp_id");
        var session = Assert.Single(cookies, c => c.Name == "_fp_ses");
        var consent = Assert.Single(cookies, c => c.Name == "_fp_consent");
        Assert.True(visitor.HttpOnly);
        Assert.True(session.HttpOnly);
        Assert.True(consent.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, visitor.SameSite);
        var days = (DateTimeOffset.FromUnixTimeSeconds((long)visitor.Expires) - DateTimeOffset.UtcNow).TotalDays;
        Assert.InRange(days, 394, 396);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", await page.Locator("[data-visitor-id]").InnerTextAsync());
        if (javaScriptEnabled)
        {
            var scriptVisible = await page.EvaluateAsync<string>("document.cookie");
            Assert.DoesNotContain("_fp_", scriptVisible, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reject_all_keeps_the_refusal_and_never_stores_a_visitor()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/"));

        // The form's POST must be answered before the next navigation, which would otherwise cancel it.
        var answer = await BrowserTestSupport.ClickAndWaitForConsentPostAsync(page, page.Locator("[data-fp-banner] button[value='reject-all']"));
        Assert.Equal(303, answer.Status);
        await page.GotoAsync(Url("/Menu"));

        var cookies = await context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "_fp_consent");
        Assert.DoesNotContain(cookies, c => c.Name is "_fp_id" or "_fp_ses");
        Assert.Equal(0, await page.Locator("[data-fp-banner]").CountAsync());
    }

    [Fact]
    public async Task Withdrawing_on_the_privacy_page_removes_the_visitor_cookies_from_the_browser()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/Privacy"));
        Assert.Contains(await context.CookiesAsync(), c => c.Name == "_fp_id");

        await page.Locator("button[value='withdraw']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-status]")).Not.ToBeEmptyAsync();
        await page.ReloadAsync();

        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is "_fp_id" or "_fp_ses");
        Assert.Equal("false", await page.Locator("li[data-fp-choice='analytics']").GetAttributeAsync("data-granted"));
    }

    [Fact]
    public async Task Visitor_id_survives_navigation_and_page_scripts_cannot_replace_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        var visitorId = await page.Locator("[data-visitor-id]").InnerTextAsync();

        // A script cannot overwrite an HttpOnly cookie, but it can plant one with a longer path,
        // which the browser then sends first ("cookie tossing"). The server must ignore it.
        await page.EvaluateAsync("() => { document.cookie = '_fp_id=forged; path=/'; document.cookie = '_fp_id=2.AAAA; path=/Menu'; }");
        await page.GotoAsync(Url("/Menu"));

        Assert.Equal(visitorId, await page.Locator("[data-visitor-id]").InnerTextAsync());
        Assert.Equal("1", await page.Locator("[data-session-index]").InnerTextAsync());
        Assert.Equal(2, (await context.CookiesAsync()).Count(c => c.Name == "_fp_id"));
    }

    [Fact]
    public async Task Script_requests_see_the_same_visitor_without_new_cookies()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        var visitorId = await page.Locator("[data-visitor-id]").InnerTextAsync();

        var result = await page.EvaluateAsync<JsonElement>(
            "async () => { const r = await fetch('/api/visitor'); return { setCookie: r.headers.has('set-cookie'), body: await r.json() }; }");

        Assert.Equal(visitorId, result.GetProperty("body").GetProperty("visitorId").GetString());
        Assert.False(result.GetProperty("setCookie").GetBoolean());
        Assert.Equal(2, (await context.CookiesAsync()).Count(c => c.Name is "_fp_id" or "_fp_ses"));
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
