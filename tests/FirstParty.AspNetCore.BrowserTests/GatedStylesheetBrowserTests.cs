using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The menu page's font stylesheet behind <c>fp-consent="preferences"</c>.</summary>
public sealed class GatedStylesheetBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string Stylesheet = "link[rel='stylesheet'][data-fp-href='/css/fonts.css']";

    [Fact]
    public async Task The_stylesheet_stays_inert_until_preferences_are_allowed_and_then_applies_without_a_reload()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requested = new List<string>();
        page.Request += (_, request) => { lock (requested) { requested.Add(new Uri(request.Url).AbsolutePath); } };
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.EvaluateAsync(SetMarker);
        var menu = page.Locator("ul.menu");

        Assert.Null(await page.Locator(Stylesheet).GetAttributeAsync("href"));
        await Expect(page.Locator(Stylesheet)).ToHaveAttributeAsync("data-fp-consent", "preferences");
        await Expect(menu).Not.ToHaveCSSAsync("font-family", new System.Text.RegularExpressions.Regex("Georgia"));

        // Another category does not revive it.
        await page.Locator(Customize).ClickAsync();
        await page.Locator("[data-fp-banner] input[name='category'][value='analytics']").CheckAsync();
        await page.Locator(Save).ClickAsync();
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.analytics === 'loaded'");
        Assert.Null(await page.Locator(Stylesheet).GetAttributeAsync("href"));
        await Expect(page.Locator(Stylesheet)).ToHaveAttributeAsync("data-fp-consent", "preferences");
        lock (requested)
        {
            Assert.DoesNotContain("/css/fonts.css", requested);
        }

        await page.Locator(OpenPreferences).ClickAsync();
        await page.Locator("[data-fp-banner] input[name='category'][value='preferences']").CheckAsync();
        await page.Locator(Save).ClickAsync();

        await Expect(menu).ToHaveCSSAsync("font-family", new System.Text.RegularExpressions.Regex("^Georgia"));
        await Expect(page.Locator(Stylesheet)).ToHaveAttributeAsync("href", "/css/fonts.css");
        await Expect(page.Locator(Stylesheet)).Not.ToHaveAttributeAsync("data-fp-consent", "preferences");
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        lock (requested)
        {
            Assert.Contains("/css/fonts.css", requested);
        }

        Assert.True(Granted(await ServerStateAsync(page), "preferences"));
    }

    [Fact]
    public async Task Once_preferences_are_allowed_the_server_renders_the_stylesheet_as_written()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.Locator(AcceptAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);

        var reloaded = await page.ReloadAsync();

        Assert.Contains("<link rel=\"stylesheet\" href=\"/css/fonts.css\" />", await reloaded!.TextAsync(), StringComparison.Ordinal);
        await Expect(page.Locator("ul.menu")).ToHaveCSSAsync("font-family", new System.Text.RegularExpressions.Regex("^Georgia"));
    }
}
