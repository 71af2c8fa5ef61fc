using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>When the script's fetch to the consent endpoint fails, the banner's form is posted the plain way.</summary>
public sealed class FormPostFallbackBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Theory]
    [InlineData("network error")]
    [InlineData("server error")]
    public async Task Accept_all_still_records_the_decision_through_a_form_post_when_the_fetch_fails(string failure)
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var failedFetches = 0;
        // Only the script's fetch fails; the browser's own form submission goes through.
        await page.RouteAsync(url => new Uri(url).AbsolutePath == "/_fp/consent", async route =>
        {
            if (route.Request.ResourceType == "fetch" && route.Request.Method == "POST")
            {
                Interlocked.Increment(ref failedFetches);
                await (failure == "network error"
                    ? route.AbortAsync()
                    : route.FulfillAsync(new() { Status = 500, ContentType = "application/json", Body = "{}" }));
                return;
            }

            await route.ContinueAsync();
        });
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.EvaluateAsync(SetMarker);

        var posted = await page.RunAndWaitForResponseAsync(
            () => page.Locator(AcceptAll).ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/_fp/consent" && r.Request.ResourceType == "document");

        Assert.Equal(1, Volatile.Read(ref failedFetches));
        Assert.InRange(posted.Status, 300, 399);
        await page.WaitForURLAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => typeof window.harbourAnalytics === 'object'");
        Assert.False(await page.EvaluateAsync<bool>(ReadMarker), "the page did not navigate");
        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        var cookies = await context.CookieNamesAsync();
        Assert.Contains("_fp_consent", cookies);
        Assert.Contains("_fp_id", cookies);
        var state = await ServerStateAsync(page);
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal("accept-all", state.GetProperty("source").GetString());
        Assert.True(Granted(state, "analytics"));
        Assert.True(Granted(state, "marketing"));
    }
}
