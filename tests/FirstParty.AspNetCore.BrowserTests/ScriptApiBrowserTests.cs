using System.Text.Json;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary><c>window.firstParty</c>: openPreferences, save(keys) and withdraw, as a site's own code calls them.</summary>
public sealed class ScriptApiBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string PreferencesBox = "[data-fp-banner] input[name='category'][value='preferences']";
    private const string Details = "[data-fp-banner] details[data-fp-preferences]";

    [Fact]
    public async Task OpenPreferences_opens_the_banner_preferences_and_after_a_decision_fetches_them_in_place()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.EvaluateAsync(SetMarker);

        // Undecided: the page's own banner opens on its preferences.
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.openPreferences()"));
        await Expect(page.Locator(Details)).ToHaveJSPropertyAsync("open", true);
        await Expect(page.Locator(PreferencesBox)).ToBeFocusedAsync();
        Assert.Equal(1, await page.Locator(Banner).CountAsync());

        await page.EvaluateAsync("() => window.firstParty.reject()");
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);

        // Decided: there is no banner on the page, so the script fetches the server's and focuses it.
        var opener = page.Locator("nav[aria-label='Main'] a[href='/Basket']");
        await opener.FocusAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.openPreferences()"));
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await Expect(page.Locator(Banner)).ToHaveAttributeAsync("data-fp-fetched", string.Empty);
        await Expect(page.Locator(Details)).ToHaveJSPropertyAsync("open", true);
        await Expect(page.Locator(PreferencesBox)).ToBeFocusedAsync();
        await Expect(page.Locator("[data-fp-banner] input[name='category'][value='analytics']")).Not.ToBeCheckedAsync();
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page navigated");
        Assert.Equal(site.Url("/Menu"), page.Url);

        // Closing gives focus back to what had it when the API was called.
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await Expect(opener).ToBeFocusedAsync();

        // When the preferences cannot be fetched it resolves false and shows nothing.
        await page.RouteAsync(url => new Uri(url).Query.Contains("fp-preferences", StringComparison.Ordinal), route => route.AbortAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.openPreferences()"));
        Assert.Equal(0, await page.Locator(Banner).CountAsync());
    }

    [Fact]
    public async Task Save_grants_exactly_the_given_keys_and_the_gated_content_follows_without_a_reload()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.EvaluateAsync(SetMarker);

        var returned = await page.EvaluateAsync<JsonElement>(
            "async () => JSON.parse(JSON.stringify(await window.firstParty.save(['analytics', 'marketing/youtube'])))");

        Assert.Equal("custom", returned.GetProperty("source").GetString());
        Assert.True(Granted(returned, "analytics"));
        Assert.True(ServiceGranted(returned, "marketing/youtube"));
        var state = await ServerStateAsync(page);
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal("custom", state.GetProperty("source").GetString());
        Assert.True(Granted(state, "analytics"));
        Assert.True(ServiceGranted(state, "marketing/youtube"));
        Assert.False(ServiceGranted(state, "marketing/vimeo"));
        Assert.False(Granted(state, "preferences"));
        Assert.False(ServiceGranted(state, "preferences/site-theme"));

        // isGranted answers as the script decides: per service where the server declares one, else by category.
        var answers = await page.EvaluateAsync<bool[]>(
            "() => ['analytics', 'marketing/youtube', 'marketing/vimeo', 'preferences', 'analytics/undeclared', '!analytics', ''].map(window.firstParty.isGranted)");
        Assert.Equal(new[] { true, true, false, false, true, false, false }, answers);

        // The page reacts: no banner, the video and the analytics script come alive, the
        // preferences-gated stylesheet stays inert.
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-fp-placeholder]").CountAsync());
        await page.WaitForFunctionAsync("() => typeof window.harbourAnalytics === 'object'");
        Assert.Null(await page.Locator("link[data-fp-href='/css/fonts.css']").GetAttributeAsync("href"));
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        Assert.Contains("_fp_id", await context.CookieNamesAsync());
    }

    [Fact]
    public async Task Withdraw_refuses_every_optional_category_and_deletes_the_optional_cookies()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync("() => window.firstParty.accept()");
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        // A preferences cookie of the site's own, set once preferences are allowed.
        await page.ReloadAsync();
        await page.Locator(".theme-picker button[value='dark']").ClickAsync();
        await Expect(page.Locator("[data-theme]")).ToHaveTextAsync("dark");
        await page.GotoAsync(site.Url("/Privacy"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        var before = await context.CookieNamesAsync();
        Assert.Superset(new HashSet<string> { "_fp_id", "_fp_ses", "theme", "_fp_consent" }, before);
        await Expect(page.Locator("[data-fp-centre] input[name='category'][value='analytics']")).ToBeCheckedAsync();
        await page.EvaluateAsync(SetMarker);

        JsonElement returned = default;
        var response = await page.RunAndWaitForResponseAsync(
            async () => returned = await page.EvaluateAsync<JsonElement>("async () => JSON.parse(JSON.stringify(await window.firstParty.withdraw()))"),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/_fp/consent");

        var deleted = await DeletedCookiesAsync(response);
        Assert.Superset(new HashSet<string> { "_fp_id", "_fp_ses", "theme" }, deleted);
        Assert.DoesNotContain("_fp_consent", deleted);
        var after = await context.CookieNamesAsync();
        Assert.DoesNotContain("_fp_id", after);
        Assert.DoesNotContain("_fp_ses", after);
        Assert.DoesNotContain("theme", after);
        Assert.Contains("_fp_consent", after);
        Assert.Equal("withdraw", returned.GetProperty("source").GetString());
        var state = await ServerStateAsync(page);
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal("withdraw", state.GetProperty("source").GetString());
        foreach (var category in new[] { "preferences", "analytics", "marketing" })
        {
            Assert.False(Granted(state, category), $"{category} is still granted");
        }

        // The privacy centre on the page follows, without a reload.
        await Expect(page.Locator("[data-fp-centre] input[name='category'][value='analytics']")).Not.ToBeCheckedAsync();
        await Expect(page.Locator("[data-fp-status]")).ToHaveTextAsync("Your choices have been saved.");
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
    }
}
