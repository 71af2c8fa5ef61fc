using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The sample configured for the legacy amplitude-js 8 SDK (cookie <c>amp_{key6}</c>).</summary>
public sealed class LegacyAmplitudeSiteFixture : SampleSiteFixture
{
    protected override void ConfigureSite(IWebHostBuilder builder)
        => builder
            .UseSetting("FirstParty:Providers:Amplitude:Sdk", "AmplitudeJs")
            .UseSetting("FirstParty:Providers:Amplitude:ScriptUrl", "/sdk/amplitude-js/amplitude.umd.min.js")
            .UseSetting("FirstParty:Providers:Amplitude:ServerUrl", "/amp/")
            .UseSetting("FirstParty:Providers:Amplitude:Settings:fetchRemoteConfig", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:flushQueueSize", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:flushIntervalMillis", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:eventUploadThreshold", "1");
}

/// <summary>
/// amplitude-js 8.21.10 from npm, served by the sample: it adopts the device id the server wrote in
/// <c>amp_a1b2c3</c>, sends it to the sample's stub, and gets it back after its cookie is deleted.
/// </summary>
public sealed class LegacyAmplitudeBrowserTests(LegacyAmplitudeSiteFixture site) : IClassFixture<LegacyAmplitudeSiteFixture>
{
    [Fact]
    public async Task Amplitude_js_adopts_the_server_visitor_id_as_its_device_id()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        Assert.True(await page.EvaluateAsync<bool>("() => typeof amplitude === 'undefined'"));

        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        var visitorId = (await page.EvaluateAsync<JsonElement>("() => fetch('/_fp/consent').then(r => r.json())")).GetProperty("visitor").GetProperty("id").GetString()!;

        Assert.Contains(await context.CookiesAsync(), c => c.Name == "amp_a1b2c3");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("AMP_", StringComparison.Ordinal));
        Assert.Equal(visitorId, await DeviceIdAsync(page));
        await BrowserTestSupport.EventuallyAsync(
            async () => Uri.UnescapeDataString(await page.EvaluateAsync<string>("() => fetch('/collector/events').then(r => r.text())")).Contains(visitorId, StringComparison.Ordinal),
            "the stub receives an event with the server's id");

        await context.ClearCookiesAsync(new Microsoft.Playwright.BrowserContextClearCookiesOptions { Name = "amp_a1b2c3" });
        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(visitorId, await DeviceIdAsync(page));
    }

    [Fact]
    public async Task A_page_shown_in_place_at_a_new_address_is_logged_as_a_page_view_only_while_analytics_is_granted()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        var deviceId = await DeviceIdAsync(page);

        // The stub keeps what every test of this class sent: count this visitor's page views only.
        await WaitForPageViewsAsync(page, deviceId, 1);

        // What a client-side router does, then tells firstparty.js: the page is now at another address.
        await page.EvaluateAsync("() => { history.pushState({}, '', '/Menu?table=4'); window.firstParty.refresh(); }");
        await WaitForPageViewsAsync(page, deviceId, 2);

        // Refreshing at the same address is not a new page; after withdrawal a new address is not logged.
        await page.EvaluateAsync("""
            () => {
              window.__logged = 0;
              const instance = amplitude.getInstance();
              const log = instance.logEvent.bind(instance);
              instance.logEvent = (...args) => { window.__logged++; return log(...args); };
              window.firstParty.refresh();
            }
            """);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__logged"));
        await page.EvaluateAsync("() => window.firstParty.withdraw()");
        await page.EvaluateAsync("() => { history.pushState({}, '', '/Menu?table=5'); window.firstParty.refresh(); }");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__logged"));
        Assert.Equal(2, await PageViewsAsync(page, deviceId));
    }

    private static Task WaitForPageViewsAsync(Microsoft.Playwright.IPage page, string deviceId, int count)
        => BrowserTestSupport.EventuallyAsync(async () => await PageViewsAsync(page, deviceId) == count, $"the stub has {count} page views from {deviceId}");

    // amplitude-js posts form fields (e: a JSON array of events); the stub lists the bodies it received.
    private static Task<int> PageViewsAsync(Microsoft.Playwright.IPage page, string deviceId)
        => page.EvaluateAsync<int>("""
            deviceId => fetch('/collector/events').then(r => r.json()).then(received => received
              .filter(request => request.destination === 'amplitude')
              .flatMap(request => JSON.parse(new URLSearchParams(request.body).get('e') || '[]'))
              .filter(e => e.device_id === deviceId && e.event_type === 'Page Viewed')
              .length)
            """, deviceId);

    private static async Task<string> DeviceIdAsync(Microsoft.Playwright.IPage page)
    {
        await page.WaitForFunctionAsync("() => typeof amplitude !== 'undefined' && amplitude.getInstance().options.deviceId");
        return await page.EvaluateAsync<string>("() => amplitude.getInstance().options.deviceId");
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
