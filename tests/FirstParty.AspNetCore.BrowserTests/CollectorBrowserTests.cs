using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The real Snowplow browser tracker and Amplitude analytics-browser SDKs in Chromium, loaded by the
/// sample's snippets, sending to the sample's same-origin collector, which forwards to the fixture's
/// upstream stub (a local Kestrel app recording every request). Each browser context has a user agent
/// of its own, so what reaches the shared stub can be told apart.
/// </summary>
/// <remarks>
/// Absence is proven with a later witness: the collector keeps each vendor's events in order, so once
/// an event queued after a hit has reached the stub, the hit would have reached it too.
/// </remarks>
public sealed class CollectorBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string Collector = "/_fp/c/";
    private const string Tp2 = "/_fp/c/snowplow/com.snowplowanalytics.snowplow/tp2";
    private const string CookieExtension = "/_fp/c/snowplow/cookie-extension";
    private const string NetworkCookie = "sp";

    /// <summary>POSTs one page view to the collector as the tracker does (payload_data, JSON); the argument is [eid, duid, page].</summary>
    private const string PostSnowplowHit =
        """
        async ([eid, duid, page]) => {
          const now = String(Date.now());
          const event = { e: 'pv', url: location.href, page: page ?? document.title, eid, tv: 'js-4.10.1', p: 'web', aid: 'razor-sample', dtm: now, stm: now };
          if (duid) event.duid = duid;
          const response = await fetch('/_fp/c/snowplow/com.snowplowanalytics.snowplow/tp2', {
            method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json; charset=UTF-8' },
            body: JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [event] }) });
          return { status: response.status, body: await response.text() };
        }
        """;

    /// <summary>Uploads one event as analytics-browser does (HTTP V2 shape, its IP placeholder included); the argument is [insert_id, device_id].</summary>
    private const string PostAmplitudeUpload =
        """
        async ([insertId, deviceId]) => {
          const response = await fetch('/_fp/c/amplitude/2/httpapi', {
            method: 'POST', headers: { 'Content-Type': 'application/json', Accept: '*/*' },
            body: JSON.stringify({ api_key: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', options: {}, client_upload_time: new Date().toISOString(),
              events: [{ event_type: 'collector probe', device_id: deviceId ?? 'a-browser-device', insert_id: insertId, time: Date.now(), session_id: Date.now(), ip: '$remote', platform: 'Web' }] }) });
          return { status: response.status, body: await response.text() };
        }
        """;

    [Fact]
    public async Task Before_consent_nothing_goes_to_the_collector_and_a_hit_sent_anyway_never_reaches_the_vendor()
    {
        var (context, agent) = await NewContextAsync();
        await using var disposeContext = context;
        var requests = Record(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.GotoAsync(site.Url("/"));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.True(await page.EvaluateAsync<bool>("() => typeof snowplowBrowserTracking === 'undefined' && typeof amplitude === 'undefined'"));
        Assert.DoesNotContain(requests, url => new Uri(url).AbsolutePath.StartsWith(Collector, StringComparison.Ordinal));

        // A hit sent without consent (a stale SDK, a script of its own) is answered as the vendor
        // answers, so nothing retries it, and leaves no sp behind.
        var (snowplowEid, amplitudeInsertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await AssertSnowplowAnsweredAsync(page, snowplowEid, null);
        await AssertAmplitudeAnsweredAsync(page, amplitudeInsertId, null);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == NetworkCookie);
        Assert.DoesNotContain(site.Upstream.Hits, h => h.Header("User-Agent") == agent);

        // The same hits once consent is given do arrive, after which the refused ones would have too.
        await AcceptAllAsync(page);
        var visitorId = await VisitorIdAsync(page);
        var (witnessEid, witnessInsertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await AssertSnowplowAnsweredAsync(page, witnessEid, visitorId);
        await AssertAmplitudeAnsweredAsync(page, witnessInsertId, visitorId);
        await site.Upstream.WaitForAsync(h => HasSnowplowEvent(h, witnessEid), "the Snowplow hit sent with consent arrives");
        await site.Upstream.WaitForAsync(h => HasAmplitudeEvent(h, witnessInsertId), "the Amplitude upload sent with consent arrives");
        await Task.Delay(1000);

        Assert.DoesNotContain(site.Upstream.Hits, h => HasSnowplowEvent(h, snowplowEid));
        Assert.DoesNotContain(site.Upstream.Hits, h => HasAmplitudeEvent(h, amplitudeInsertId));
    }

    [Fact]
    public async Task After_consent_the_sdks_events_reach_the_vendor_with_the_server_ids_and_without_ip_or_cookies()
    {
        var (context, agent) = await NewContextAsync();
        await using var disposeContext = context;
        var requests = Record(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        await AcceptAllAsync(page);
        var state = await ServerStateAsync(page);
        var visitorId = state.GetProperty("visitor").GetProperty("id").GetString()!;
        var sessionId = state.GetProperty("visitor").GetProperty("sessionId").GetString()!;

        var snowplow = await site.Upstream.WaitForAsync(
            h => h.SnowplowEvents().Any(e => UpstreamHit.Text(e, "duid") == visitorId && UpstreamHit.Text(e, "e") == "pv"),
            "the tracker's page view reaches Snowplow with the server's duid");
        var amplitude = await site.Upstream.WaitForAsync(
            h => h.AmplitudeEvents().Any(e => UpstreamHit.Text(e, "device_id") == visitorId),
            "the SDK's events reach Amplitude with the server's device_id");

        // Snowplow: the network user id is this site's sp cookie, the IP the /24 of 127.0.0.1, no cookies.
        var sp = Assert.Single(await context.CookiesAsync(), c => c.Name == NetworkCookie);
        Assert.True(sp.HttpOnly);
        Assert.True(Guid.TryParseExact(sp.Value, "D", out _), $"sp is not a UUID: {sp.Value}");
        Assert.Equal("POST", snowplow.Method);
        Assert.Equal("/snowplow/com.snowplowanalytics.snowplow/tp2", snowplow.Path);
        Assert.Equal(sp.Value, snowplow.QueryValue("nuid"));
        Assert.Equal("127.0.0.0", snowplow.Header("X-Forwarded-For"));
        Assert.Null(snowplow.Header("Cookie"));
        Assert.Equal(agent, snowplow.Header("User-Agent"));
        Assert.StartsWith("application/json", snowplow.Header("Content-Type"), StringComparison.Ordinal);
        Assert.All(snowplow.SnowplowEvents(), e =>
        {
            Assert.Equal(visitorId, UpstreamHit.Text(e, "duid"));
            Assert.Equal(sessionId, UpstreamHit.Text(e, "sid"));
            Assert.False(e.TryGetProperty("ip", out _), "a Snowplow event carries an ip field");
            Assert.False(e.TryGetProperty("nuid", out _), "a Snowplow event carries a nuid field");
            Assert.False(string.IsNullOrEmpty(UpstreamHit.Text(e, "eid")));
        });

        // Amplitude: the server's device id, no IP field at all (IpForwarding None), no cookies, no X-Forwarded-For.
        Assert.Equal("POST", amplitude.Method);
        Assert.Equal("/amplitude/2/httpapi", amplitude.Path);
        Assert.Null(amplitude.Header("Cookie"));
        Assert.Null(amplitude.Header("X-Forwarded-For"));
        Assert.All(amplitude.AmplitudeEvents(), e =>
        {
            Assert.Equal(visitorId, UpstreamHit.Text(e, "device_id"));
            Assert.False(e.TryGetProperty("ip", out _), "an Amplitude event carries an ip field");
            Assert.Equal(agent, UpstreamHit.Text(e, "user_agent"));
            Assert.False(string.IsNullOrEmpty(UpstreamHit.Text(e, "insert_id")));
        });

        // Every request of every page stayed on this origin: the SDKs sent through the collector only.
        var http = requests.Where(url => url.StartsWith("http", StringComparison.Ordinal)).ToList();
        Assert.Contains(http, url => new Uri(url).AbsolutePath == Tp2);
        Assert.Contains(http, url => new Uri(url).AbsolutePath == "/_fp/c/amplitude/2/httpapi");
        Assert.All(http, url => Assert.Equal(site.BaseAddress.Authority, new Uri(url).Authority));
    }

    [Fact]
    public async Task The_tracker_gets_sp_from_the_cookie_extension_only_with_consent_and_a_refusal_deletes_it()
    {
        var (context, _) = await NewContextAsync();
        await using var disposeContext = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));

        // Without consent the service answers as Snowplow's does, and sets nothing.
        var refused = await page.EvaluateAsync<JsonElement>($"async () => {{ const r = await fetch('{CookieExtension}', {{ credentials: 'include' }}); return {{ status: r.status, body: await r.text() }}; }}");
        Assert.Equal(200, refused.GetProperty("status").GetInt32());
        Assert.Equal("ok", refused.GetProperty("body").GetString());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == NetworkCookie);

        // Accepting revives the tracker on this page; before its first event it calls the service, which sets sp.
        var first = await page.RunAndWaitForResponseAsync(() => AcceptAllAsync(page), IsCookieExtension);
        var set = await NetworkCookieSetAsync(first);
        Assert.NotNull(set);
        Assert.True(set.HttpOnly);
        Assert.Equal("/", set.Path.ToString());
        Assert.Equal(TimeSpan.FromDays(365), set.MaxAge);
        Assert.Equal("no-store", await first.HeaderValueAsync("Cache-Control"));
        var sp = Assert.Single(await context.CookiesAsync(), c => c.Name == NetworkCookie);
        Assert.Equal(set.Value.ToString(), sp.Value);
        Assert.True(sp.HttpOnly);

        // The next page's tracker calls it again: the same id, its lifetime renewed.
        var again = await page.RunAndWaitForResponseAsync(() => page.ReloadAsync(), IsCookieExtension);
        var renewed = await NetworkCookieSetAsync(again);
        Assert.NotNull(renewed);
        Assert.Equal(sp.Value, renewed.Value.ToString());
        Assert.Equal(TimeSpan.FromDays(365), renewed.MaxAge);

        // Refusing analytics from the preferences deletes it with the answer to the choice.
        await page.Locator(OpenPreferences).ClickAsync();
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        var refusal = await ClickAndWaitForConsentPostAsync(page, page.Locator(RejectAll));
        Assert.True(refusal.Ok, $"POST /_fp/consent answered {refusal.Status}");
        Assert.Contains(NetworkCookie, await DeletedCookiesAsync(refusal));
        await refusal.FinishedAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == NetworkCookie);

        // The service sets nothing again after the refusal.
        await page.EvaluateAsync($"() => fetch('{CookieExtension}', {{ credentials: 'include' }})");
        await page.GotoAsync(site.Url("/Menu"));
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == NetworkCookie);
    }

    [Fact]
    public async Task After_withdrawal_sp_is_deleted_and_nothing_more_reaches_the_vendor()
    {
        var (context, _) = await NewContextAsync();
        await using var disposeContext = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await AcceptAllAsync(page);
        var visitorId = await VisitorIdAsync(page);
        await site.Upstream.WaitForAsync(h => h.SnowplowEvents().Any(e => UpstreamHit.Text(e, "duid") == visitorId), "the tracker's events reach Snowplow");
        await site.Upstream.WaitForAsync(h => h.AmplitudeEvents().Any(e => UpstreamHit.Text(e, "device_id") == visitorId), "the SDK's events reach Amplitude");

        await page.GotoAsync(site.Url("/Privacy"));
        await page.WaitForFunctionAsync("() => window.firstPartyTrackers?.snowplow && typeof amplitude !== 'undefined'");
        Assert.Contains(await context.CookiesAsync(), c => c.Name == NetworkCookie);
        var withdrawal = await ClickAndWaitForConsentPostAsync(page, page.Locator("button[value='withdraw']"));
        Assert.True(withdrawal.Ok, $"POST /_fp/consent answered {withdrawal.Status}");
        Assert.Contains(NetworkCookie, await DeletedCookiesAsync(withdrawal));
        await page.WaitForFunctionAsync("() => window.firstParty.getState().categories.analytics === false");

        // The SDKs still on this page send events: the collector refuses them on the server.
        var marker = "after-withdrawal-" + Guid.NewGuid().ToString("N");
        await page.EvaluateAsync(
            """
            marker => {
              window.firstPartyTrackers?.snowplow?.trackPageView({ title: marker });
              if (typeof amplitude !== 'undefined') { amplitude.track(marker); amplitude.flush(); }
            }
            """,
            marker);

        // So are hits a page sends itself, even with the old ids.
        var (snowplowEid, amplitudeInsertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await AssertSnowplowAnsweredAsync(page, snowplowEid, visitorId, marker);
        await AssertAmplitudeAnsweredAsync(page, amplitudeInsertId, visitorId);
        await Task.Delay(1000);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == NetworkCookie);

        // A visitor who consents sends after them; once that reaches the vendor, theirs would have too.
        var (witnessContext, _) = await NewContextAsync();
        await using var disposeWitness = witnessContext;
        var witness = await witnessContext.NewPageAsync();
        await witness.GotoAsync(site.Url("/Menu"));
        await AcceptAllAsync(witness);
        var witnessId = await VisitorIdAsync(witness);
        var (witnessEid, witnessInsertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await AssertSnowplowAnsweredAsync(witness, witnessEid, witnessId);
        await AssertAmplitudeAnsweredAsync(witness, witnessInsertId, witnessId);
        await site.Upstream.WaitForAsync(h => HasSnowplowEvent(h, witnessEid), "the consenting visitor's Snowplow hit arrives");
        await site.Upstream.WaitForAsync(h => HasAmplitudeEvent(h, witnessInsertId), "the consenting visitor's Amplitude upload arrives");
        await Task.Delay(1000);

        var hits = site.Upstream.Hits;
        Assert.DoesNotContain(hits, h => HasSnowplowEvent(h, snowplowEid));
        Assert.DoesNotContain(hits, h => HasAmplitudeEvent(h, amplitudeInsertId));
        Assert.DoesNotContain(hits, h => h.SnowplowEvents().Any(e => UpstreamHit.Text(e, "page") == marker));
        Assert.DoesNotContain(hits, h => h.AmplitudeEvents().Any(e => UpstreamHit.Text(e, "event_type") == marker));
    }

    /// <summary>A context whose user agent names it, so its events can be found at the shared upstream.</summary>
    private async Task<(IBrowserContext Context, string UserAgent)> NewContextAsync()
    {
        var agent = $"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 fp-test/{Guid.NewGuid():N}";
        return (await site.Browser.NewContextAsync(new BrowserNewContextOptions { UserAgent = agent }), agent);
    }

    /// <summary>Every URL the context's pages request, from now on.</summary>
    private static ConcurrentQueue<string> Record(IBrowserContext context)
    {
        var urls = new ConcurrentQueue<string>();
        context.Request += (_, request) => urls.Enqueue(request.Url);
        return urls;
    }

    private static async Task AcceptAllAsync(IPage page)
    {
        var answer = await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        Assert.True(answer.Ok, $"POST /_fp/consent answered {answer.Status}");
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
    }

    private static async Task<string> VisitorIdAsync(IPage page)
        => (await ServerStateAsync(page)).GetProperty("visitor").GetProperty("id").GetString()!;

    private static bool IsCookieExtension(IResponse response) => new Uri(response.Url).AbsolutePath == CookieExtension;

    private static async Task<Microsoft.Net.Http.Headers.SetCookieHeaderValue?> NetworkCookieSetAsync(IResponse response)
    {
        Assert.Equal(200, response.Status);
        return (await response.HeadersArrayAsync())
            .Where(h => h.Name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(line => Microsoft.Net.Http.Headers.SetCookieHeaderValue.Parse(line))
            .SingleOrDefault(c => c.Name == NetworkCookie && c.MaxAge != TimeSpan.Zero);
    }

    private static async Task AssertSnowplowAnsweredAsync(IPage page, string eid, string? duid, string? pageTitle = null)
    {
        var answer = await page.EvaluateAsync<JsonElement>(PostSnowplowHit, new object?[] { eid, duid, pageTitle });
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.Equal("ok", answer.GetProperty("body").GetString());
    }

    private static async Task AssertAmplitudeAnsweredAsync(IPage page, string insertId, string? deviceId)
    {
        var answer = await page.EvaluateAsync<JsonElement>(PostAmplitudeUpload, new object?[] { insertId, deviceId });
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        using var body = JsonDocument.Parse(answer.GetProperty("body").GetString()!);
        Assert.Equal(200, body.RootElement.GetProperty("code").GetInt32());
    }

    private static bool HasSnowplowEvent(UpstreamHit hit, string eid) => hit.SnowplowEvents().Any(e => UpstreamHit.Text(e, "eid") == eid);

    private static bool HasAmplitudeEvent(UpstreamHit hit, string insertId) => hit.AmplitudeEvents().Any(e => UpstreamHit.Text(e, "insert_id") == insertId);
}
