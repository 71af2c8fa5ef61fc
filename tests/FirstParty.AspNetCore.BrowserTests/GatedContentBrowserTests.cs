using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>Scripts and embeds behind <c>fp-consent</c>, in a real browser.</summary>
public sealed class GatedContentBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Fact]
    public async Task The_analytics_script_never_runs_before_consent_and_runs_after()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(new Uri(request.Url).AbsolutePath);

        await page.GotoAsync(Url("/Menu"));

        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.harbourAnalytics"));
        Assert.DoesNotContain("/js/analytics.js", requested);
        Assert.DoesNotContain("/embed/roasting", requested);

        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await page.WaitForURLAsync(Url("/Menu"));
        await page.WaitForFunctionAsync("() => typeof window.harbourAnalytics === 'object'");

        Assert.Contains("/js/analytics.js", requested);
        Assert.Contains("/embed/roasting", requested);
    }

    [Fact]
    public async Task Always_allow_on_a_placeholder_loads_the_embed_without_javascript()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(0, await page.Locator("iframe").CountAsync());

        await BrowserTestSupport.ClickAndWaitForPageAsync(page, page.Locator("[data-fp-placeholder='marketing/youtube'] button[data-fp-allow='always']"), Url("/Menu"));

        Assert.Equal(1, await page.Locator("iframe[src^='/embed/roasting']").CountAsync());
        Assert.Equal(0, await page.Locator("[data-fp-placeholder]").CountAsync());
        Assert.Contains(await context.CookiesAsync(), c => c.Name == "_fp_consent");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "_fp_id");
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
