using System.Text.Json;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The consent banner with its script: choices apply in place, without a reload.</summary>
public sealed class BannerBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Fact]
    public async Task A_first_visit_shows_the_banner_and_runs_nothing_gated()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(site.Url("/"));

        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await Expect(page.Locator(AcceptAll)).ToBeVisibleAsync();
        await Expect(page.Locator(RejectAll)).ToBeVisibleAsync();
        Assert.DoesNotContain("_fp_id", await context.CookieNamesAsync());
        Assert.DoesNotContain("_fp_consent", await context.CookieNamesAsync());
        Assert.Equal(SampleSiteFixture.GatedAnalyticsScripts, await page.Locator("script[type='text/plain'][data-fp-consent='analytics']").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.analytics ?? null"));
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.inlineAnalytics ?? null"));
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.getState().decided"));
    }

    [Fact]
    public async Task Reject_all_hides_the_banner_in_place_and_stores_only_the_refusal()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync(SetMarker);

        await page.Locator(RejectAll).ClickAsync();

        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-fp-status]")).ToHaveTextAsync("Your choices have been saved.");
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        var cookies = await context.CookieNamesAsync();
        Assert.Contains("_fp_consent", cookies);
        Assert.DoesNotContain("_fp_id", cookies);
        Assert.DoesNotContain("_fp_ses", cookies);
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.analytics ?? null"));
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.inlineAnalytics ?? null"));
        Assert.Equal(SampleSiteFixture.GatedAnalyticsScripts, await page.Locator("script[type='text/plain'][data-fp-consent='analytics']").CountAsync());
        var state = await ServerStateAsync(page);
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.False(Granted(state, "analytics"));
    }

    [Fact]
    public async Task Accept_all_runs_the_gated_scripts_in_document_order_without_a_reload()
    {
        await using var context = await site.Browser.NewContextAsync();
        // Init scripts run before the page's own: record the order in which the gated scripts mark the page.
        await context.AddInitScriptAsync(
            """
            window.__ran = [];
            new MutationObserver(records => { for (const r of records) window.__ran.push(r.attributeName); })
              .observe(document, { subtree: true, attributes: true, attributeFilter: ['data-analytics', 'data-inline-analytics'] });
            """);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync(SetMarker);

        await page.Locator(AcceptAll).ClickAsync();

        await page.WaitForFunctionAsync("() => document.documentElement.dataset.inlineAnalytics === 'ran'");
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        Assert.Equal("loaded", await page.EvaluateAsync<string?>("() => document.documentElement.dataset.analytics ?? null"));
        Assert.Equal(["data-analytics", "data-inline-analytics"], await page.EvaluateAsync<string[]>("() => window.__ran"));
        Assert.Equal(0, await page.Locator("script[data-fp-consent]").CountAsync());
        // The JSON answer to the POST set the visitor cookies.
        var cookies = await context.CookieNamesAsync();
        Assert.Contains("_fp_id", cookies);
        Assert.Contains("_fp_ses", cookies);
        Assert.Contains("_fp_consent", cookies);
        // The preferences block swapped its content in.
        await Expect(page.Locator("p[data-recommendation]")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("p[data-recommendation-fallback]").CountAsync());
    }

    [Fact]
    public async Task Always_allow_on_a_placeholder_swaps_the_embed_in_without_a_reload()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.EvaluateAsync(SetMarker);
        Assert.Equal(0, await page.Locator("iframe").CountAsync());

        await page.Locator($"{YouTube} button[data-fp-allow='always']").ClickAsync();

        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToBeVisibleAsync();
        await Expect(page.FrameLocator("iframe[src^='/embed/roasting']").Locator("p")).ToHaveTextAsync("Video: how we roast");
        Assert.Equal(0, await page.Locator("[data-fp-placeholder]").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        // Only YouTube was allowed: the choice is recorded, it decides, and nothing else is granted.
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        var state = await ServerStateAsync(page);
        Assert.True(ServiceGranted(state, "marketing/youtube"));
        Assert.False(ServiceGranted(state, "marketing/vimeo"));
        Assert.False(Granted(state, "analytics"));
        Assert.DoesNotContain("_fp_id", await context.CookieNamesAsync());
    }

    [Fact]
    public async Task Always_allow_after_a_choice_on_the_same_page_keeps_that_choice()
    {
        // The placeholder's form was rendered before the choice: allowing YouTube must not undo it.
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.Locator(Customize).ClickAsync();
        await page.Locator("[data-fp-banner] input[name='category'][value='analytics']").CheckAsync();
        await page.Locator(Save).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        Assert.True(Granted(await ServerStateAsync(page), "analytics"));

        await page.Locator($"{YouTube} button[data-fp-allow='always']").ClickAsync();

        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToBeVisibleAsync();
        var state = await ServerStateAsync(page);
        Assert.True(ServiceGranted(state, "marketing/youtube"));
        Assert.False(ServiceGranted(state, "marketing/vimeo"));
        Assert.True(Granted(state, "analytics"), "allowing YouTube revoked analytics");
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));
        Assert.Contains("_fp_id", await context.CookieNamesAsync());
    }

    [Fact]
    public async Task Allow_once_on_a_placeholder_shows_the_embed_for_this_page_only()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        await page.Locator($"{YouTube} button[data-fp-allow='once']").ClickAsync();

        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToBeVisibleAsync();
        Assert.Equal(site.Url("/Menu"), page.Url);
        Assert.DoesNotContain("_fp_consent", await context.CookieNamesAsync());
        await page.ReloadAsync();
        await Expect(page.Locator(YouTube)).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("iframe").CountAsync());
    }

    [Fact]
    public async Task Customize_saves_only_the_ticked_categories()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync(SetMarker);

        await page.Locator(Customize).ClickAsync();
        var analytics = page.Locator("[data-fp-banner] input[name='category'][value='analytics']");
        await Expect(analytics).ToBeVisibleAsync();
        foreach (var box in await page.Locator("[data-fp-banner] input[type='checkbox']:not(:disabled)").AllAsync())
        {
            await Expect(box).Not.ToBeCheckedAsync();
        }

        await analytics.CheckAsync();
        await page.Locator(Save).ClickAsync();

        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        var state = await ServerStateAsync(page);
        Assert.True(Granted(state, "analytics"));
        Assert.False(Granted(state, "marketing"));
        Assert.False(Granted(state, "preferences"));
        Assert.False(ServiceGranted(state, "marketing/youtube"));
        Assert.False(ServiceGranted(state, "preferences/site-theme"));
        var local = await page.EvaluateAsync<JsonElement>("() => window.firstParty.getState()");
        Assert.True(Granted(local, "analytics"));
        Assert.False(Granted(local, "preferences"));
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.analytics === 'loaded'");
        // Preferences stay refused: the block keeps its fallback.
        await Expect(page.Locator("p[data-recommendation-fallback]")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("p[data-recommendation]").CountAsync());
        Assert.Contains("_fp_id", await context.CookieNamesAsync());
    }

    [Fact]
    public async Task Ticking_a_category_ticks_its_services_and_the_last_service_unticks_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.Locator(Customize).ClickAsync();
        var marketing = page.Locator("[data-fp-banner] input[name='category'][value='marketing']");
        var youtube = page.Locator("[data-fp-banner] input[name='service'][value='marketing/youtube']");
        var vimeo = page.Locator("[data-fp-banner] input[name='service'][value='marketing/vimeo']");

        await marketing.CheckAsync();
        await Expect(youtube).ToBeCheckedAsync();
        await Expect(vimeo).ToBeCheckedAsync();
        await vimeo.UncheckAsync();
        await Expect(marketing).ToBeCheckedAsync();
        await youtube.UncheckAsync();
        await Expect(marketing).Not.ToBeCheckedAsync();
        await vimeo.CheckAsync();
        await Expect(marketing).ToBeCheckedAsync();
        await page.Locator(Save).ClickAsync();

        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        var state = await ServerStateAsync(page);
        Assert.True(ServiceGranted(state, "marketing/vimeo"));
        Assert.False(ServiceGranted(state, "marketing/youtube"));
    }

    [Fact]
    public async Task The_footer_link_reopens_the_preferences_in_place_and_unticking_analytics_deletes_the_visitor()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.Locator(AcceptAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        Assert.Contains("_fp_id", await context.CookieNamesAsync());
        Assert.Equal(0, await page.Locator(Banner).CountAsync());
        await page.EvaluateAsync(SetMarker);

        await page.Locator(OpenPreferences).ClickAsync();

        var banner = page.Locator(Banner);
        await Expect(banner).ToBeVisibleAsync();
        Assert.Equal(site.Url("/"), page.Url);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page navigated");
        await Expect(banner.Locator("details[data-fp-preferences]")).ToHaveJSPropertyAsync("open", true);
        // The first checkbox a person can change has the focus (necessary is disabled).
        await Expect(banner.Locator("input[name='category'][value='preferences']")).ToBeFocusedAsync();
        var analytics = banner.Locator("input[name='category'][value='analytics']");
        await Expect(analytics).ToBeCheckedAsync();

        await analytics.UncheckAsync();
        await banner.Locator("button[value='custom']").ClickAsync();

        await Expect(banner).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        var cookies = await context.CookieNamesAsync();
        Assert.DoesNotContain("_fp_id", cookies);
        Assert.DoesNotContain("_fp_ses", cookies);
        var state = await ServerStateAsync(page);
        Assert.False(Granted(state, "analytics"));
        Assert.True(Granted(state, "marketing"));
        // Focus went back to the link that opened the preferences.
        await Expect(page.Locator(OpenPreferences)).ToBeFocusedAsync();

        await page.GotoAsync(site.Url("/Privacy"));
        await Expect(page.Locator("li[data-fp-choice='analytics']")).ToHaveAttributeAsync("data-granted", "false");
        await Expect(page.Locator("li[data-fp-choice='marketing']")).ToHaveAttributeAsync("data-granted", "true");
        Assert.Equal(0, await page.Locator("code[data-visitor-id]").CountAsync());
    }

    [Fact]
    public async Task Withdrawing_on_the_privacy_page_deletes_the_visitor_cookies()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Privacy"));
        await page.Locator(AcceptAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.Locator("code[data-visitor-id]").First).ToBeVisibleAsync();
        await Expect(page.Locator("li[data-fp-choice='analytics']")).ToHaveAttributeAsync("data-granted", "true");

        await page.Locator("button[value='withdraw']").ClickAsync();

        await Expect(page.Locator("[data-fp-status]")).ToHaveTextAsync("Your choices have been saved.");
        await Expect(page.Locator("[data-fp-centre] input[name='category'][value='analytics']")).Not.ToBeCheckedAsync();
        var cookies = await context.CookieNamesAsync();
        Assert.DoesNotContain("_fp_id", cookies);
        Assert.DoesNotContain("_fp_ses", cookies);
        Assert.Contains("_fp_consent", cookies);

        await page.ReloadAsync();
        await Expect(page.Locator("li[data-fp-choice='analytics']")).ToHaveAttributeAsync("data-granted", "false");
        Assert.Equal(0, await page.Locator("code[data-visitor-id]").CountAsync());
    }

    [Theory]
    [InlineData("accept-all")]
    [InlineData("reject-all")]
    public async Task After_a_decision_the_server_sends_no_banner(string choice)
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var first = await page.GotoAsync(site.Url("/"));
        Assert.Contains("data-fp-banner", await first!.TextAsync(), StringComparison.Ordinal);

        await page.Locator($"[data-fp-banner] button[value='{choice}']").ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);

        var reloaded = await page.ReloadAsync();
        Assert.DoesNotContain("data-fp-banner", await reloaded!.TextAsync(), StringComparison.Ordinal);
        var menu = await context.APIRequest.GetAsync(site.Url("/Menu"));
        Assert.DoesNotContain("data-fp-banner", await menu.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(Banner).CountAsync());
    }

    [Fact]
    public async Task Consent_mode_sends_an_update_when_the_person_accepts()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        const string consentCalls = "() => window.dataLayer.filter(a => a[0] === 'consent').map(a => ({ type: a[1], analytics: a[2].analytics_storage, ads: a[2].ad_storage }))";
        var before = await page.EvaluateAsync<JsonElement>(consentCalls);
        var defaults = Assert.Single(before.EnumerateArray());
        Assert.Equal("default", defaults.GetProperty("type").GetString());
        Assert.Equal("denied", defaults.GetProperty("analytics").GetString());

        await page.Locator(AcceptAll).ClickAsync();

        await page.WaitForFunctionAsync("() => window.dataLayer.some(a => a[0] === 'consent' && a[1] === 'update')");
        var after = await page.EvaluateAsync<JsonElement>(consentCalls);
        var update = after.EnumerateArray().Last();
        Assert.Equal("update", update.GetProperty("type").GetString());
        Assert.Equal("granted", update.GetProperty("analytics").GetString());
        Assert.Equal("granted", update.GetProperty("ads").GetString());
    }

    [Fact]
    public async Task The_script_api_notifies_subscribers_of_a_rejection()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));

        var result = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const seen = [];
              const off = window.firstParty.subscribe(s => seen.push(s));
              const returned = await window.firstParty.reject();
              off();
              await window.firstParty.accept();
              // Plain JSON: the same object twice would cross as a reference.
              return JSON.parse(JSON.stringify({ seen, returned, after: window.firstParty.getState() }));
            }
            """);

        var seen = Assert.Single(result.GetProperty("seen").EnumerateArray());
        Assert.True(seen.GetProperty("decided").GetBoolean());
        Assert.False(Granted(seen, "analytics"));
        Assert.False(Granted(result.GetProperty("returned"), "marketing"));
        Assert.True(result.GetProperty("after").GetProperty("decided").GetBoolean());
        Assert.True(Granted(result.GetProperty("after"), "analytics"));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task GetState_is_decided_after_reject_and_cannot_be_changed_from_outside()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));

        var decided = await page.EvaluateAsync<bool>(
            """
            async () => {
              await window.firstParty.reject();
              window.firstParty.getState().categories.analytics = true;
              return window.firstParty.getState().decided && !window.firstParty.getState().categories.analytics;
            }
            """);

        Assert.True(decided);
        Assert.Contains("_fp_consent", await context.CookieNamesAsync());
        Assert.False(Granted(await ServerStateAsync(page), "analytics"));
    }
}
