using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>Every consent flow with JavaScript turned off: plain forms, redirects and the server's HTML.</summary>
public sealed class BannerNoScriptBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string InertScripts = "script[type='text/plain'][data-fp-consent='analytics']";

    [Fact]
    public async Task Accept_all_posts_the_form_and_comes_back_with_the_scripts_live()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        Assert.Equal(SampleSiteFixture.GatedAnalyticsScripts, await page.Locator(InertScripts).CountAsync());

        await ClickAndWaitForPageAsync(page, page.Locator(AcceptAll), site.Url("/Menu"));

        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        Assert.Equal(0, await page.Locator("script[data-fp-consent]").CountAsync());
        Assert.Equal(1, await page.Locator("script[src='/js/analytics.js']:not([type])").CountAsync());
        Assert.Equal(1, await page.Locator("iframe[src^='/embed/roasting']").CountAsync());
        var cookies = await context.CookieNamesAsync();
        Assert.Contains("_fp_id", cookies);
        Assert.Contains("_fp_consent", cookies);
    }

    [Fact]
    public async Task Reject_all_posts_the_form_and_keeps_everything_gated()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        await ClickAndWaitForPageAsync(page, page.Locator(RejectAll), site.Url("/Menu"));

        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        Assert.Equal(SampleSiteFixture.GatedAnalyticsScripts, await page.Locator(InertScripts).CountAsync());
        Assert.Equal(1, await page.Locator(YouTube).CountAsync());
        var cookies = await context.CookieNamesAsync();
        Assert.Contains("_fp_consent", cookies);
        Assert.DoesNotContain("_fp_id", cookies);
        Assert.False(Granted(await ServerStateAsync(context, site), "analytics"));
    }

    [Fact]
    public async Task Customize_opens_as_a_details_element_and_saves_the_ticked_category()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        var analytics = page.Locator("[data-fp-banner] input[name='category'][value='analytics']");
        await Expect(analytics).ToBeHiddenAsync();

        await page.Locator(Customize).ClickAsync();
        await Expect(analytics).ToBeVisibleAsync();
        await analytics.CheckAsync();
        await ClickAndWaitForPageAsync(page, page.Locator(Save), site.Url("/"));

        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        var state = await ServerStateAsync(context, site);
        Assert.True(Granted(state, "analytics"));
        Assert.False(Granted(state, "preferences"));
        Assert.False(Granted(state, "marketing"));
        Assert.Equal(1, await page.Locator("script[src='/js/analytics.js']:not([type])").CountAsync());
        Assert.Equal(1, await page.Locator("p[data-recommendation-fallback]").CountAsync());
        Assert.Equal(0, await page.Locator("p[data-recommendation]").CountAsync());
    }

    [Fact]
    public async Task The_footer_link_leads_to_the_page_with_the_banner_open_on_its_preferences()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await ClickAndWaitForPageAsync(page, page.Locator(AcceptAll), site.Url("/Menu"));
        Assert.Equal(0, await page.Locator(Banner).CountAsync());

        await page.Locator(OpenPreferences).ClickAsync();

        await page.WaitForURLAsync(site.Url("/Menu?fp-preferences=1"));
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await Expect(page.Locator("[data-fp-banner] details[data-fp-preferences]")).ToHaveJSPropertyAsync("open", true);
        var analytics = page.Locator("[data-fp-banner] input[name='category'][value='analytics']");
        await Expect(analytics).ToBeCheckedAsync();

        await analytics.UncheckAsync();
        await page.Locator(Save).ClickAsync();

        // Back to the page without the one-shot parameter, and the visitor is gone.
        await page.WaitForURLAsync(site.Url("/Menu"));
        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        var cookies = await context.CookieNamesAsync();
        Assert.DoesNotContain("_fp_id", cookies);
        Assert.DoesNotContain("_fp_ses", cookies);
        Assert.False(Granted(await ServerStateAsync(context, site), "analytics"));
    }

    [Fact]
    public async Task Allow_once_shows_the_embed_on_this_page_view_only()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        await page.Locator($"{YouTube} button[data-fp-allow='once']").ClickAsync();

        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator(YouTube).CountAsync());
        Assert.DoesNotContain("_fp_consent", await context.CookieNamesAsync());

        await page.GotoAsync(site.Url("/Menu"));
        Assert.Equal(1, await page.Locator(YouTube).CountAsync());
        Assert.Equal(0, await page.Locator("iframe").CountAsync());
    }

    [Fact]
    public async Task Always_allow_on_a_placeholder_persists_across_pages()
    {
        await using var context = await NoScriptContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        await ClickAndWaitForPageAsync(page, page.Locator($"{YouTube} button[data-fp-allow='always']"), site.Url("/Menu"));
        Assert.Equal(1, await page.Locator("iframe[src^='/embed/roasting']").CountAsync());

        await page.GotoAsync(site.Url("/"));
        await page.GotoAsync(site.Url("/Menu"));
        Assert.Equal(1, await page.Locator("iframe[src^='/embed/roasting']").CountAsync());
        Assert.Equal(0, await page.Locator(YouTube).CountAsync());
        var state = await ServerStateAsync(context, site);
        Assert.True(ServiceGranted(state, "marketing/youtube"));
        Assert.False(ServiceGranted(state, "marketing/vimeo"));
    }

    private Task<IBrowserContext> NoScriptContextAsync()
        => site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
}
