using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The sample's <c>&lt;tracking-snippet&gt;</c>s with the real SDKs from npm (Snowplow browser
/// tracker 4.10.1, Amplitude analytics-browser 2.45.6), served by the sample itself, sending through
/// the sample's same-origin collector to the fixture's upstream stub: nothing loads before consent;
/// after it, each SDK reports the server's visitor id, sends it, keeps it across reloads and gets it
/// back after its own cookie is deleted.
/// </summary>
public sealed class RealSdkBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string SnowplowCookie = "_sp_id.dc78";
    private const string AmplitudeCookie = "AMP_a1b2c3d4e5";

    [Fact]
    public async Task Before_consent_no_sdk_is_loaded_and_no_sdk_cookie_exists()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));

        Assert.True(await page.EvaluateAsync<bool>("() => typeof snowplowBrowserTracking === 'undefined' && typeof amplitude === 'undefined'"));
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("_sp_", StringComparison.Ordinal) || c.Name.StartsWith("AMP_", StringComparison.Ordinal) || c.Name == "_ga");
    }

    [Fact]
    public async Task After_consent_both_sdks_use_and_send_the_server_visitor_id_and_keep_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));

        // Accepted by the script: the SDKs are revived on this page, without a reload.
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        var visitorId = (await page.EvaluateAsync<JsonElement>("() => fetch('/_fp/consent').then(r => r.json())")).GetProperty("visitor").GetProperty("id").GetString()!;

        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));
        Assert.Equal(visitorId, await AmplitudeDeviceIdAsync(page));
        await site.Upstream.WaitForAsync(h => h.SnowplowEvents().Any(e => UpstreamHit.Text(e, "duid") == visitorId), "the Snowplow collector receives the server's id");
        await site.Upstream.WaitForAsync(h => h.AmplitudeEvents().Any(e => UpstreamHit.Text(e, "device_id") == visitorId), "Amplitude's API receives the server's id");

        await page.ReloadAsync();
        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));
        Assert.Equal(visitorId, await AmplitudeDeviceIdAsync(page));

        // Safari's seven-day rule (or the person) deletes the SDKs' cookies; the server keeps its own.
        foreach (var name in new[] { SnowplowCookie, "_sp_ses.dc78", AmplitudeCookie })
        {
            await context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = name });
        }

        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));
        Assert.Equal(visitorId, await AmplitudeDeviceIdAsync(page));
    }

    [Fact]
    public async Task Withdrawing_deletes_the_sdk_cookies_and_the_next_page_loads_no_sdk()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/Privacy"));
        Assert.Contains(await context.CookiesAsync(), c => c.Name == SnowplowCookie);

        // The withdrawal's own answer deletes the SDK cookies the server wrote: the loop below alone
        // would pass with a withdraw that deletes nothing, since any later page clears them too.
        var withdrawal = await BrowserTestSupport.ClickAndWaitForConsentPostAsync(page, page.Locator("button[value='withdraw']"));
        Assert.True(withdrawal.Ok, $"POST /_fp/consent answered {withdrawal.Status}");
        var deleted = await BrowserTestSupport.DeletedCookiesAsync(withdrawal);
        Assert.Contains(SnowplowCookie, deleted);
        Assert.Contains(AmplitudeCookie, deleted);
        Assert.Contains("_ga", deleted);
        await page.WaitForFunctionAsync("() => window.firstParty.getState().categories.analytics === false");
        await page.GotoAsync(Url("/Menu"));

        // An SDK still running on the page where consent was withdrawn may write its cookies once
        // more (on a timer or when the page is hidden); any later page without the SDK removes them.
        Assert.True(await page.EvaluateAsync<bool>("() => typeof snowplowBrowserTracking === 'undefined' && typeof amplitude === 'undefined'"));
        await BrowserTestSupport.EventuallyAsync(
            async () =>
            {
                if (!(await context.CookiesAsync()).Any(IsSdkCookie))
                {
                    return true;
                }

                await page.GotoAsync(Url("/"));
                return false;
            },
            "no SDK cookie outlives the pages after withdrawal",
            seconds: 10);

        await page.GotoAsync(Url("/Menu"));
        Assert.DoesNotContain(await context.CookiesAsync(), IsSdkCookie);
    }

    private static bool IsSdkCookie(Microsoft.Playwright.BrowserContextCookiesResult c)
        => c.Name.StartsWith("_sp_", StringComparison.Ordinal) || c.Name.StartsWith("AMP_", StringComparison.Ordinal) || c.Name == "_ga";

    private static async Task<string> SnowplowDomainUserIdAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.firstPartyTrackers?.snowplow");
        return await page.EvaluateAsync<string>("() => window.firstPartyTrackers.snowplow.getDomainUserId()");
    }

    private static async Task<string> AmplitudeDeviceIdAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => typeof amplitude !== 'undefined' && amplitude.getDeviceId()");
        return await page.EvaluateAsync<string>("() => amplitude.getDeviceId()");
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
