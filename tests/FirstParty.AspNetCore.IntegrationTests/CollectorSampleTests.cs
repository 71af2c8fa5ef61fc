using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The Razor Pages sample whose collector sends through its own test server: the upstreams it is
/// configured with (<c>http://localhost:5080/stub/{vendor}</c>) are the sample's
/// <c>CollectorStub</c>, so what the collector forwards shows at <c>GET /collector/events</c>.
/// </summary>
public sealed class CollectorSampleFactory : SampleFactory<IndexModel>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        // After the app's registrations, so this primary handler replaces the library's.
        builder.ConfigureTestServices(services => services.AddHttpClient(CollectorOptions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler()));
    }
}

/// <summary>
/// The sample's collector end to end: the snippets point the SDKs at it, hits and server-side events
/// are forwarded with the server's ids and no cookies only once consent is given, bad hits get a
/// problem+json 400, and its health check reports the upstreams answering. Each test's client has a
/// user agent of its own, so its events can be told apart at the shared stub.
/// </summary>
/// <remarks>
/// Absence is proven with a later witness: the collector keeps each vendor's events in order, so once
/// an event queued after a hit has reached the stub, the hit would have reached it too.
/// </remarks>
public sealed class CollectorSampleTests(CollectorSampleFactory factory) : IClassFixture<CollectorSampleFactory>
{
    private const string Tp2 = "/_fp/c/snowplow/com.snowplowanalytics.snowplow/tp2";
    private const string AmplitudeUpload = "/_fp/c/amplitude/2/httpapi";
    private const string ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    [Fact]
    public async Task The_layout_points_the_sdks_at_the_same_origin_collector()
    {
        var browser = NewBrowser();
        await browser.ChooseAsync("accept-all", "/Menu");

        var page = await browser.NavigateAsync("/Menu");

        Assert.Contains("snowplowBrowserTracking.newTracker(\"sp\",\"http://localhost/_fp/c/snowplow\",", page.Body, StringComparison.Ordinal);
        Assert.Contains("\"cookieExtensionService\":\"/_fp/c/snowplow/cookie-extension\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("\"serverUrl\":\"/_fp/c/amplitude/2/httpapi\"", page.Body, StringComparison.Ordinal);

        // The sample's own stub endpoints (the SDKs' targets with the collector off) are not used.
        Assert.DoesNotContain("\"/collector\"", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("/amp/2/httpapi", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hits_before_consent_are_answered_and_dropped_and_after_it_arrive_with_the_server_ids_and_no_cookies()
    {
        var browser = NewBrowser();
        browser.Headers["X-Forwarded-For"] = "203.0.113.9";
        await browser.NavigateAsync("/Menu");
        var (refusedEid, refusedInsertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

        await AssertSnowplowAnsweredAsync(browser, refusedEid, duid: "d1f0a7c2-0000-4000-8000-000000000001");
        await AssertAmplitudeAnsweredAsync(browser, refusedInsertId, deviceId: "a-browser-device");
        Assert.False(browser.Cookies.ContainsKey("sp"), "sp was set without consent");

        await browser.ChooseAsync("accept-all", "/Menu");
        var visitorId = await VisitorIdAsync(browser);
        var (eid, insertId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var snowplowAnswer = await AssertSnowplowAnsweredAsync(browser, eid, duid: "d1f0a7c2-0000-4000-8000-000000000001");
        await AssertAmplitudeAnsweredAsync(browser, insertId, deviceId: "a-browser-device");

        var sp = snowplowAnswer.Cookie("sp");
        Assert.NotNull(sp);
        Assert.True(sp.HttpOnly);
        var snowplow = await WaitForAsync(e => e.Destination == "snowplow" && e.Body.Contains(eid, StringComparison.Ordinal), "the Snowplow hit arrives");
        Assert.Equal("POST", snowplow.Method);
        Assert.Equal($"/stub/snowplow/com.snowplowanalytics.snowplow/tp2?nuid={sp.Value}", snowplow.Path);
        Assert.False(snowplow.HadCookies, "the visitor's cookies were forwarded to Snowplow");
        Assert.DoesNotContain("203.0.113.9", snowplow.ForwardedFor, StringComparison.Ordinal);
        var snowplowEvent = Assert.Single(SnowplowEvents(snowplow), e => Text(e, "eid") == eid);
        Assert.Equal(visitorId, Text(snowplowEvent, "duid"));
        Assert.False(snowplowEvent.TryGetProperty("nuid", out _));

        var amplitude = await WaitForAsync(e => e.Destination == "amplitude" && e.Body.Contains(insertId, StringComparison.Ordinal), "the Amplitude upload arrives");
        Assert.Equal("/stub/amplitude/2/httpapi", amplitude.Path);
        Assert.False(amplitude.HadCookies, "the visitor's cookies were forwarded to Amplitude");
        Assert.Empty(amplitude.ForwardedFor);
        var amplitudeEvent = Assert.Single(AmplitudeEvents(amplitude), e => Text(e, "insert_id") == insertId);
        Assert.Equal(visitorId, Text(amplitudeEvent, "device_id"));
        Assert.False(amplitudeEvent.TryGetProperty("ip", out _), "the SDK's \"$remote\" IP placeholder was forwarded");

        await Task.Delay(500);
        var events = await EventsAsync(browser);
        Assert.DoesNotContain(events, e => e.Body.Contains(refusedEid, StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Body.Contains(refusedInsertId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_basket_sends_server_side_events_to_snowplow_and_amplitude_only_with_consent()
    {
        var browser = NewBrowser();
        var agent = browser.Headers["User-Agent"];

        var before = await browser.PostFormAsync("/Basket", "/Basket");
        Assert.Equal(302, before.Status);
        await browser.ChooseAsync("accept-all", "/Menu");
        var visitorId = await VisitorIdAsync(browser);
        var after = await browser.PostFormAsync("/Basket", "/Basket");
        Assert.Equal(302, after.Status);

        // The second item's events: the first was added before consent.
        var snowplow = await WaitForAsync(e => e.Destination == "snowplow" && e.UserAgent == agent && SnowplowEvents(e).Any(IsBasketEvent), "the server's Snowplow event arrives");
        var snowplowEvent = Assert.Single(SnowplowEvents(snowplow), IsBasketEvent);
        Assert.Equal("se", Text(snowplowEvent, "e"));
        Assert.Equal("2", Text(snowplowEvent, "se_va"));
        Assert.Equal("srv", Text(snowplowEvent, "p"));
        Assert.Equal(visitorId, Text(snowplowEvent, "duid"));
        Assert.False(snowplow.HadCookies);

        var amplitude = await WaitForAsync(e => e.Destination == "amplitude" && AmplitudeEvents(e).Any(a => IsAmplitudeBasketEvent(a, agent)), "the server's Amplitude event arrives");
        var amplitudeEvent = Assert.Single(AmplitudeEvents(amplitude), a => IsAmplitudeBasketEvent(a, agent));
        Assert.Equal(visitorId, Text(amplitudeEvent, "device_id"));
        Assert.Equal(2, amplitudeEvent.GetProperty("event_properties").GetProperty("items").GetInt32());
        Assert.False(amplitude.HadCookies);

        // Neither the item added before consent, nor GA4 or Plausible (the sample sets no measurement id or domain).
        await Task.Delay(500);
        var events = await EventsAsync(browser);
        Assert.Single(events, e => e.Destination == "snowplow" && e.UserAgent == agent && SnowplowEvents(e).Any(IsBasketEvent));
        Assert.Single(events, e => e.Destination == "amplitude" && AmplitudeEvents(e).Any(a => IsAmplitudeBasketEvent(a, agent)));
        Assert.DoesNotContain(events, e => e.Destination is "ga4" or "plausible" && e.UserAgent == agent);
    }

    [Fact]
    public async Task The_collector_health_check_is_healthy_while_the_stubs_answer()
    {
        var browser = NewBrowser();
        await browser.ChooseAsync("accept-all", "/Menu");
        var eid = Guid.NewGuid().ToString();
        await AssertSnowplowAnsweredAsync(browser, eid, duid: null);
        await WaitForAsync(e => e.Body.Contains(eid, StringComparison.Ordinal), "a hit is delivered");

        var health = await browser.FetchAsync("/healthz/collector");

        Assert.Equal(200, health.Status);
        Assert.Equal("Healthy", health.Body);
    }

    [Theory]
    [InlineData("POST", Tp2, "application/json", "{not json")]
    [InlineData("POST", Tp2, "application/json", "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4\",\"data\":[{\"e\":\"pv\",\"eid\":\"not-a-uuid\"}]}")]
    [InlineData("POST", AmplitudeUpload, "application/json", "{\"api_key\":\"" + ApiKey + "\"}")]
    [InlineData("POST", AmplitudeUpload, "application/json", "[1,2")]
    [InlineData("POST", AmplitudeUpload, "application/json", "{\"api_key\":\"another-project\",\"events\":[{\"event_type\":\"x\"}]}")]
    [InlineData("GET", "/_fp/c/ga4/g/collect?v=1&tid=G-XXXX", null, null)]
    [InlineData("POST", "/_fp/c/plausible/api/event", "text/plain", "{\"name\":\"pageview\"}")]
    public async Task Malformed_hits_get_a_problem_400(string method, string path, string? contentType, string? body)
    {
        var browser = NewBrowser();
        await browser.ChooseAsync("accept-all", "/Menu");

        var answer = await browser.SendAsync(new HttpMethod(method), path, body is null ? null : Content(body, contentType!));

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(400, problem.RootElement.GetProperty("code").GetInt32());
        Assert.DoesNotContain(answer.SetCookies, c => c.Name == "sp");
    }

    private SampleClient NewBrowser()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["User-Agent"] = $"Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 collector-test/{Guid.NewGuid():N}";
        return browser;
    }

    private static bool IsBasketEvent(JsonElement e) => Text(e, "se_ac") == "add_to_basket";

    private static bool IsAmplitudeBasketEvent(JsonElement e, string agent) => Text(e, "event_type") == "add_to_basket" && Text(e, "user_agent") == agent;

    private static StringContent Content(string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static async Task<SampleClient.Visit> AssertSnowplowAnsweredAsync(SampleClient browser, string eid, string? duid)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hit = new Dictionary<string, string> { ["e"] = "pv", ["url"] = "http://localhost/Menu", ["eid"] = eid, ["tv"] = "js-4.10.1", ["p"] = "web", ["dtm"] = now, ["stm"] = now };
        if (duid is not null)
        {
            hit["duid"] = duid;
        }

        var body = JsonSerializer.Serialize(new { schema = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", data = new[] { hit } });
        var answer = await browser.SendAsync(HttpMethod.Post, Tp2, Content(body, "application/json; charset=UTF-8"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("ok", answer.Body);
        return answer;
    }

    private static async Task AssertAmplitudeAnsweredAsync(SampleClient browser, string insertId, string deviceId)
    {
        var body = JsonSerializer.Serialize(new
        {
            api_key = ApiKey,
            events = new[] { new { event_type = "probe", device_id = deviceId, insert_id = insertId, time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ip = "$remote" } },
            options = new { },
        });
        var answer = await browser.SendAsync(HttpMethod.Post, AmplitudeUpload, Content(body, "application/json"));
        Assert.Equal(200, answer.Status);
        using var json = JsonDocument.Parse(answer.Body);
        Assert.Equal(200, json.RootElement.GetProperty("code").GetInt32());
    }

    private static async Task<string> VisitorIdAsync(SampleClient browser)
    {
        var visitor = await browser.FetchAsync("/api/visitor");
        Assert.Equal(200, visitor.Status);
        using var json = JsonDocument.Parse(visitor.Body);
        return json.RootElement.GetProperty("visitorId").GetString()!;
    }

    private async Task<Collected> WaitForAsync(Func<Collected, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var events = await EventsAsync(SampleClient.Create(factory));
            if (events.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}; the stub has {events.Count} events.");
            await Task.Delay(100);
        }
    }

    private static async Task<List<Collected>> EventsAsync(SampleClient browser)
    {
        var answer = await browser.FetchAsync("/collector/events");
        Assert.Equal(200, answer.Status);
        using var json = JsonDocument.Parse(answer.Body);
        return [.. json.RootElement.EnumerateArray().Select(e => new Collected(
            e.GetProperty("destination").GetString()!,
            e.GetProperty("method").GetString()!,
            e.GetProperty("path").GetString()!,
            e.GetProperty("body").GetString()!,
            e.GetProperty("forwardedFor").GetString()!,
            e.GetProperty("userAgent").GetString()!,
            e.GetProperty("hadCookies").GetBoolean()))];
    }

    private static IEnumerable<JsonElement> SnowplowEvents(Collected e)
        => JsonDocument.Parse(e.Body).RootElement.GetProperty("data").EnumerateArray();

    private static IEnumerable<JsonElement> AmplitudeEvents(Collected e)
        => JsonDocument.Parse(e.Body).RootElement.GetProperty("events").EnumerateArray();

    private static string? Text(JsonElement element, string property)
        => element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>One request the sample's stub received, as <c>GET /collector/events</c> shows it.</summary>
    private sealed record Collected(string Destination, string Method, string Path, string Body, string ForwardedFor, string UserAgent, bool HadCookies);
}
