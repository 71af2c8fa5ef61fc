using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The real SDKs from npm (Snowplow browser tracker 4.10.1, Amplitude analytics-browser 2.45.6),
/// served from the site's own origin, adopt the id the server wrote into their cookie: they report
/// the server's visitor id, send it to their collector (a local stub that records requests), keep
/// it across reloads and get it back after their own cookie is deleted.
/// </summary>
public sealed class RealSdkBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string AmplitudeKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    [Fact]
    public async Task Snowplow_adopts_the_server_visitor_id_keeps_it_and_gets_it_back_after_its_cookie_is_purged()
    {
        await using var context = await site.Browser.NewContextAsync();
        var collected = await RouteAsync(context, "/sdk/sp.js", "@snowplow/browser-tracker/dist/index.umd.min.js", "**/collector/**");
        var page = await context.NewPageAsync();
        var visitorId = await AcceptAsync(page);

        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));
        await EventuallyAsync(() => collected.Any(body => body.Contains($"\"duid\":\"{visitorId}\"", StringComparison.Ordinal)), "the collector receives an event with the server's id");

        await page.ReloadAsync();
        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));

        // Safari's seven-day rule (or the person) deletes the tracker's cookies; the server keeps its own.
        await context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = "_sp_id.dc78" });
        await context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = "_sp_ses.dc78" });
        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(visitorId, await SnowplowDomainUserIdAsync(page));
    }

    [Fact]
    public async Task Amplitude_adopts_the_server_visitor_id_as_its_device_id_and_sends_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var collected = await RouteAsync(context, "/sdk/amplitude.js", "@amplitude/analytics-browser/lib/scripts/amplitude-min.umd.js", "**/amp/**");
        var page = await context.NewPageAsync();
        var visitorId = await AcceptAsync(page);

        Assert.Equal(visitorId, await AmplitudeDeviceIdAsync(page));
        await EventuallyAsync(() => collected.Any(body => body.Contains($"\"device_id\":\"{visitorId}\"", StringComparison.Ordinal)), "the stub receives an event with the server's id");

        await context.ClearCookiesAsync(new BrowserContextClearCookiesOptions { Name = "AMP_" + AmplitudeKey[..10] });
        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(visitorId, await AmplitudeDeviceIdAsync(page));
    }

    [Fact]
    public async Task Before_consent_no_sdk_cookie_exists_for_a_tracker_to_adopt()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));

        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("_sp_", StringComparison.Ordinal) || c.Name.StartsWith("AMP_", StringComparison.Ordinal) || c.Name == "_ga");
    }

    /// <summary>Accepts through the banner (script, no reload) and returns the server's visitor id.</summary>
    private async Task<string> AcceptAsync(IPage page)
    {
        await page.GotoAsync(Url("/Menu"));
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        var state = await page.EvaluateAsync<JsonElement>("() => fetch('/_fp/consent').then(r => r.json())");
        return state.GetProperty("visitor").GetProperty("id").GetString()!;
    }

    private static async Task<string> SnowplowDomainUserIdAsync(IPage page)
    {
        await LoadAsync(page, "/sdk/sp.js");
        return await page.EvaluateAsync<string>(
            @"collector => {
                const tracker = snowplowBrowserTracking.newTracker('sp' + Date.now(), collector, { appId: 'sample', eventMethod: 'post', bufferSize: 1, cookieSameSite: 'Lax' });
                snowplowBrowserTracking.trackPageView();
                return tracker.getDomainUserId();
            }",
            new Uri(page.Url).GetLeftPart(UriPartial.Authority) + "/collector");
    }

    private static async Task<string> AmplitudeDeviceIdAsync(IPage page)
    {
        await LoadAsync(page, "/sdk/amplitude.js");
        return await page.EvaluateAsync<string>(
            @"async ([key, server]) => {
                await amplitude.init(key, undefined, { serverUrl: server, fetchRemoteConfig: false, autocapture: false, flushQueueSize: 1, flushIntervalMillis: 50 }).promise;
                amplitude.track('Menu viewed');
                return amplitude.getDeviceId();
            }",
            new object[] { AmplitudeKey, new Uri(page.Url).GetLeftPart(UriPartial.Authority) + "/amp/2/httpapi" });
    }

    /// <summary>Adds the SDK as the site would: a same-origin script, allowed by the sample's strict CSP.</summary>
    private static Task LoadAsync(IPage page, string src)
        => page.EvaluateAsync(
            @"src => new Promise((resolve, reject) => {
                const script = document.createElement('script');
                script.src = src;
                script.onload = resolve;
                script.onerror = () => reject(new Error('could not load ' + src));
                document.head.append(script);
            })",
            src);

    /// <summary>Serves the SDK from node_modules at a same-origin path and records what is sent to its collector.</summary>
    private static async Task<ConcurrentQueue<string>> RouteAsync(IBrowserContext context, string sdkPath, string module, string collectorPattern)
    {
        var file = NodeModules.Find(module);
        var collected = new ConcurrentQueue<string>();
        await context.RouteAsync("**" + sdkPath, route => route.FulfillAsync(new RouteFulfillOptions { Path = file, ContentType = "text/javascript" }));
        await context.RouteAsync(collectorPattern, route =>
        {
            collected.Enqueue(route.Request.PostData ?? route.Request.Url);
            return route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = "{\"code\":200,\"events_ingested\":1,\"payload_size_bytes\":1,\"server_upload_time\":1}" });
        });
        return collected;
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
