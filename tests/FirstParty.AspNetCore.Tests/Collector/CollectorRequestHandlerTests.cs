using System.IO.Compression;
using System.Net;
using System.Text;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>
/// The collector's shared request path, through a test vendor: consent decided on the server for
/// every hit, body limits, gzip, malformed input, no cookies, and server-side events.
/// </summary>
public sealed class CollectorRequestHandlerTests : IDisposable
{
    private const string Hit = CollectorTestSupport.Prefix + "/echo/hit";
    private readonly string _spill = Path.Combine(Path.GetTempPath(), "fp-collector-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingUpstream _upstream = new();

    public void Dispose()
    {
        if (Directory.Exists(_spill))
        {
            Directory.Delete(_spill, recursive: true);
        }
    }

    private Task<TestApp> StartAsync(string regime = "OptIn", Action<TestAppOptions>? configure = null)
        => ConsentTestHelpers.StartConsentAppAsync(regime, o =>
        {
            CollectorTestSupport.EnableCollector(o, _upstream, _spill);
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollectorVendor, EchoVendor>());
            };
            configure?.Invoke(o);
        });

    private static Task<RawResponse> PostHitAsync(TestApp app, CookieJar jar, string body, Action<HttpRequestMessage>? configure = null)
        => app.SendRawAsync(HttpMethod.Post, Hit, jar, request =>
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
            configure?.Invoke(request);
        });

    private static async Task<string> VisitorIdAsync(TestApp app, CookieJar jar)
        => (await app.ProbeAsync(jar)).Consent.GetProperty("visitorId").GetString()!;

    /// <summary>Gives the background forwarder time to send anything it (wrongly) took.</summary>
    private static Task SettleAsync() => Task.Delay(300);

    [Fact]
    public async Task Before_consent_a_hit_is_answered_as_taken_and_never_forwarded()
    {
        await using var app = await StartAsync();
        using var dropped = app.CollectMetric("firstparty.collector.dropped");

        var response = await PostHitAsync(app, new CookieJar(), "one\ntwo");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("taken", response.Body);
        Assert.Equal("1", response.Header("x-echo-dropped"));
        await SettleAsync();
        Assert.Empty(_upstream.Calls);
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal(2, measurement.Value);
        Assert.Equal("consent", measurement.Tags["reason"]);
        Assert.Equal("echo", measurement.Tags["vendor"]);
    }

    [Fact]
    public async Task After_consent_events_are_forwarded_with_the_server_visitor_and_after_withdrawal_they_stop()
    {
        await using var app = await StartAsync();
        using var accepted = app.CollectMetric("firstparty.collector.accepted");
        var jar = await app.JarWithVisitorCookiesAsync();
        var visitorId = await VisitorIdAsync(app, jar);

        var response = await PostHitAsync(app, jar, "clicked");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Header("x-echo-dropped"));
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.StartsWith("clicked|" + visitorId + "|", call.Body, StringComparison.Ordinal);
        Assert.Equal(1, accepted.GetMeasurementSnapshot().Sum(m => m.Value));

        await app.ChooseAsync(jar, "reject-all");
        var after = await PostHitAsync(app, jar, "clicked again");
        Assert.Equal("1", after.Header("x-echo-dropped"));
        await SettleAsync();
        Assert.Single(_upstream.Calls);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_problem_json_and_not_forwarded()
    {
        await using var app = await StartAsync("Implied", o => o.Configuration["FirstParty:Collector:Plausible:MaxBodyBytes"] = "1024");
        using var dropped = app.CollectMetric("firstparty.collector.dropped");

        var declared = await PostHitAsync(app, new CookieJar(), new string('x', 1025));
        var chunked = await app.SendRawAsync(HttpMethod.Post, Hit, new CookieJar(), request =>
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('y', 5000)))));
        var atLimit = await PostHitAsync(app, new CookieJar(), new string('z', 1024));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.Status);
        Assert.Equal("application/problem+json", declared.ContentType);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.Status);
        Assert.Equal(HttpStatusCode.OK, atLimit.Status);
        await _upstream.WaitForAsync(1);
        await SettleAsync();
        var call = Assert.Single(_upstream.Calls);
        Assert.StartsWith(new string('z', 1024), call.Body, StringComparison.Ordinal);
        Assert.Equal(2, dropped.GetMeasurementSnapshot().Where(m => (string?)m.Tags["reason"] == "too_large").Sum(m => m.Value));
    }

    [Fact]
    public async Task A_gzip_body_is_read_and_a_corrupt_or_unknown_encoding_is_400()
    {
        await using var app = await StartAsync("Implied");
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes("zipped"));
        }

        var ok = await app.SendRawAsync(HttpMethod.Post, Hit, new CookieJar(), request =>
        {
            request.Content = new ByteArrayContent(compressed.ToArray());
            request.Content.Headers.ContentEncoding.Add("gzip");
        });
        var corrupt = await app.SendRawAsync(HttpMethod.Post, Hit, new CookieJar(), request =>
        {
            request.Content = new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
            request.Content.Headers.ContentEncoding.Add("gzip");
        });
        var brotli = await app.SendRawAsync(HttpMethod.Post, Hit, new CookieJar(), request =>
        {
            request.Content = new StringContent("plain");
            request.Content.Headers.ContentEncoding.Add("br");
        });

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.StartsWith("zipped|", Assert.Single(await _upstream.WaitForAsync(1)).Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, corrupt.Status);
        Assert.Equal("application/problem+json", corrupt.ContentType);
        Assert.Equal(HttpStatusCode.BadRequest, brotli.Status);
        await SettleAsync();
        Assert.Single(_upstream.Calls);
    }

    [Fact]
    public async Task A_malformed_hit_is_400_problem_json_logged_and_not_forwarded()
    {
        await using var app = await StartAsync("Implied");
        using var dropped = app.CollectMetric("firstparty.collector.dropped");

        var response = await PostHitAsync(app, new CookieJar(), "bad");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("bad is not an event", response.Body, StringComparison.Ordinal);
        await SettleAsync();
        Assert.Empty(_upstream.Calls);
        Assert.Equal("malformed", Assert.Single(dropped.GetMeasurementSnapshot()).Tags["reason"]);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == 60);
    }

    [Fact]
    public async Task The_endpoints_write_no_cookies_even_to_a_navigation_like_request()
    {
        await using var app = await StartAsync("Implied");

        var response = await PostHitAsync(app, new CookieJar(), "page", request =>
        {
            request.Headers.TryAddWithoutValidation("Accept", "text/html");
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.RawSetCookies);
    }

    [Fact]
    public async Task A_disabled_collector_maps_nothing()
    {
        await using var app = await StartAsync("Implied", o => o.Configuration["FirstParty:Collector:Enabled"] = "false");

        var response = await PostHitAsync(app, new CookieJar(), "x");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        await SettleAsync();
        Assert.Empty(_upstream.Calls);
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_until_the_upstream_takes_them_once()
    {
        await using var app = await StartAsync("Implied");
        _upstream.Clock = app.Time;
        var failures = 2;
        _upstream.Respond = _ => Interlocked.Decrement(ref failures) >= 0
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : new HttpResponseMessage(HttpStatusCode.OK);

        await PostHitAsync(app, new CookieJar(), "keep me");

        var calls = await _upstream.WaitForAsync(3);
        await SettleAsync();
        Assert.Equal(3, _upstream.Calls.Count);
        Assert.All(calls, c => Assert.StartsWith("keep me|", c.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_side_events_go_through_the_same_consent_check()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var refused = await app.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar);
        Assert.Contains("echo", refused.Json().GetProperty("refused").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(refused.Json().GetProperty("queued").EnumerateArray());
        await SettleAsync();
        Assert.Empty(_upstream.Calls);

        jar = await app.JarWithVisitorCookiesAsync();
        var visitorId = await VisitorIdAsync(app, jar);
        var queued = await app.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar);
        await SettleAsync();
        Assert.Contains("echo", queued.Json().GetProperty("queued").EnumerateArray().Select(e => e.GetString()));
        await _upstream.WaitForAsync(1);
        await SettleAsync();
        Assert.Equal("purchase|" + visitorId, Assert.Single(_upstream.Calls, c => c.Uri.AbsolutePath == "/collect").Body);
    }

    [Fact]
    public async Task Global_privacy_control_stops_a_vendor_declared_under_a_sale_or_sharing_category()
    {
        await using var app = await StartAsync("OptOut", o =>
        {
            o.Configuration["FirstParty:Consent:HonorGlobalPrivacyControl"] = "true";
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "marketing";
            o.Configuration["FirstParty:Consent:Categories:1:SaleOrSharing"] = "true";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "analytics";
            o.Configuration["FirstParty:Collector:Plausible:Consent"] = "marketing";
        });

        var withSignal = await PostHitAsync(app, new CookieJar(), "gpc", r => r.Headers.Add("Sec-GPC", "1"));
        Assert.Equal("1", withSignal.Header("x-echo-dropped"));
        await SettleAsync();
        Assert.Empty(_upstream.Calls);

        var without = await PostHitAsync(app, new CookieJar(), "no-signal");
        Assert.Null(without.Header("x-echo-dropped"));
        Assert.StartsWith("no-signal|", Assert.Single(await _upstream.WaitForAsync(1)).Body, StringComparison.Ordinal);
    }
}
