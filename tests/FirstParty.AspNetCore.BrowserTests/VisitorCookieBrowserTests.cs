using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

public sealed class VisitorCookieBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Fact]
    public async Task Chromium_stores_the_server_set_cookies_as_HttpOnly_with_their_full_lifetime()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(site.BaseAddress, "/").ToString());

        var cookies = await context.CookiesAsync();
        var visitor = Assert.Single(cookies, c => c.Name == "_fp_id");
        var session = Assert.Single(cookies, c => c.Name == "_fp_ses");
        Assert.True(visitor.HttpOnly);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, visitor.SameSite);
        var days = (DateTimeOffset.FromUnixTimeSeconds((long)visitor.Expires) - DateTimeOffset.UtcNow).TotalDays;
        Assert.InRange(days, 394, 396);

        var scriptVisible = await page.EvaluateAsync<string>("document.cookie");
        Assert.DoesNotContain("_fp_id", scriptVisible, StringComparison.Ordinal);
        Assert.DoesNotContain("_fp_ses", scriptVisible, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Visitor_id_survives_navigation_and_page_scripts_cannot_replace_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(site.BaseAddress, "/").ToString());
        var visitorId = await page.Locator("[data-visitor-id]").InnerTextAsync();

        // A script cannot overwrite an HttpOnly cookie, but it can plant one with a longer path,
        // which the browser then sends first ("cookie tossing"). The server must ignore it.
        await page.EvaluateAsync("() => { document.cookie = '_fp_id=forged; path=/'; document.cookie = '_fp_id=1.AAAA; path=/Menu'; }");
        await page.GotoAsync(new Uri(site.BaseAddress, "/Menu").ToString());

        Assert.Equal(visitorId, await page.Locator("[data-visitor-id]").InnerTextAsync());
        Assert.Equal("1", await page.Locator("[data-session-index]").InnerTextAsync());
        var cookies = await context.CookiesAsync();
        Assert.Equal(2, cookies.Count(c => c.Name == "_fp_id"));
    }

    [Fact]
    public async Task Script_requests_see_the_same_visitor_without_new_cookies()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(site.BaseAddress, "/").ToString());
        var visitorId = await page.Locator("[data-visitor-id]").InnerTextAsync();

        var result = await page.EvaluateAsync<JsonElement>(
            "async () => { const r = await fetch('/api/visitor'); return { setCookie: r.headers.has('set-cookie'), body: await r.json() }; }");

        Assert.Equal(visitorId, result.GetProperty("body").GetProperty("visitorId").GetString());
        Assert.False(result.GetProperty("setCookie").GetBoolean());
        Assert.Equal(2, (await context.CookiesAsync()).Count(c => c.Name is "_fp_id" or "_fp_ses"));
    }
}
