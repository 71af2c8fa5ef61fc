using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using FirstParty.AspNetCore.Tests.TestUtils;
using static FirstParty.AspNetCore.Tests.Collector.SnowplowTestSupport;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>What reaches Snowplow's collector: the format its API and Enrich take, with the server's ids and nothing a client chose.</summary>
public sealed class SnowplowWireFormatTests : IDisposable
{
    private readonly CapturingUpstream _upstream = new();
    private readonly string _spill = TempDirectory();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task RealTrackerPost_IsForwardedUnchangedExceptTheServersIds()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);

        var response = await app.PostTp2Async(RealTrackerPost, jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("text/plain", response.ContentType);
        Assert.Equal("ok", response.Body);
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.Equal("https://collector.snowplow.test/com.snowplowanalytics.snowplow/tp2", call.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal(TrackerContentType, call.ContentType);

        var sent = ParseEvents(RealTrackerPost);
        var forwarded = Events(call);
        Assert.Equal(sent.Count, forwarded.Count);
        var replacedIds = new Dictionary<string, string>
        {
            ["duid"] = visitor.VisitorId,
            ["sid"] = visitor.SessionId!,
            ["vid"] = visitor.SessionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < sent.Count; i++)
        {
            var expected = new Dictionary<string, string>(sent[i]);
            foreach (var (name, value) in replacedIds)
            {
                expected[name] = value;
            }

            Assert.Equal(expected.OrderBy(p => p.Key), forwarded[i].OrderBy(p => p.Key));
        }

        // The idempotency keys are the tracker's own.
        Assert.Equal(sent.Select(e => e["eid"]), forwarded.Select(e => e["eid"]));
    }

    [Fact]
    public async Task NetworkUserId_IsTheSpCookie_OnTheUrl_AndNoCookieIsForwarded()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);

        var sp = response.Written("sp");
        Assert.NotNull(sp);
        Assert.True(Guid.TryParseExact(sp.Value.ToString(), "D", out var id));
        Assert.Equal(4, id.Version);
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.Equal("?nuid=" + sp.Value, call.Uri.Query);
        Assert.Null(call.Header("Cookie"));
        Assert.DoesNotContain("nuid", Events(call)[0].Keys);

        // The next hit keeps the same id.
        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);
        var calls = await _upstream.WaitForAsync(2);
        Assert.Equal("?nuid=" + sp.Value, calls[1].Uri.Query);
    }

    [Fact]
    public async Task FieldsAClientMustNotChoose_AreStripped()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString(), ("nuid", Guid.NewGuid().ToString()), ("tnuid", Guid.NewGuid().ToString()), ("ip", "6.6.6.6"), ("ua", "Spoofed/1.0"))), jar);

        var forwarded = Events(Assert.Single(await _upstream.WaitForAsync(1)))[0];
        Assert.DoesNotContain("nuid", forwarded.Keys);
        Assert.DoesNotContain("tnuid", forwarded.Keys);
        Assert.DoesNotContain("ip", forwarded.Keys);
        Assert.DoesNotContain("ua", forwarded.Keys);
        Assert.Equal("pv", forwarded["e"]);
    }

    [Fact]
    public async Task WrongIds_AreReplacedAndCounted_AbsentIdsStayAbsent()
    {
        await using var app = await StartAsync(_upstream, _spill);
        using var replaced = app.CollectMetric("firstparty.collector.ids.replaced");
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);

        // One event with three wrong ids, one from anonymous tracking (no duid, sid or vid).
        var wrong = Event(Guid.NewGuid().ToString(), ("duid", "not-the-visitor"), ("sid", Guid.NewGuid().ToString()), ("vid", "99"));
        var anonymous = Event(Guid.NewGuid().ToString());
        await app.PostTp2Async(PostMany([wrong, anonymous]), jar);

        var events = Events(Assert.Single(await _upstream.WaitForAsync(1)));
        Assert.Equal(visitor.VisitorId, events[0]["duid"]);
        Assert.Equal(visitor.SessionId, events[0]["sid"]);
        Assert.Equal(visitor.SessionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), events[0]["vid"]);
        Assert.DoesNotContain("duid", events[1].Keys);
        Assert.DoesNotContain("sid", events[1].Keys);
        Assert.DoesNotContain("vid", events[1].Keys);
        var measurement = Assert.Single(replaced.GetMeasurementSnapshot());
        Assert.Equal(3, measurement.Value);
        Assert.Equal("snowplow", measurement.Tags["vendor"]);
    }

    [Fact]
    public async Task RightIds_AreNotCounted()
    {
        await using var app = await StartAsync(_upstream, _spill);
        using var replaced = app.CollectMetric("firstparty.collector.ids.replaced");
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);

        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString(), ("duid", visitor.VisitorId), ("sid", visitor.SessionId), ("vid", "1"))), jar);

        await _upstream.WaitForAsync(1);
        Assert.Empty(replaced.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task UserId_IsTheServers_WhenItKnowsOne()
    {
        await using var app = await StartAsync(_upstream, _spill, o => o.ConfigureFirstParty = f => f.Providers.UserId = _ => "user-42");
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        await app.PostTp2Async(PostMany([Event(Guid.NewGuid().ToString(), ("duid", "x"), ("uid", "someone-else")), Event(Guid.NewGuid().ToString(), ("duid", "x"))]), jar);

        var events = Events(Assert.Single(await _upstream.WaitForAsync(1)));
        Assert.All(events, e => Assert.Equal("user-42", e["uid"]));
    }

    [Theory]
    [InlineData(null, "203.0.113.0")]
    [InlineData("Anonymized", "203.0.113.0")]
    [InlineData("Full", "203.0.113.77")]
    [InlineData("None", "unknown")]
    public async Task TheIp_IsOneTrustedForwardedFor_NeverTheClients(string? setting, string expected)
    {
        await using var app = await StartAsync(_upstream, _spill, o =>
        {
            if (setting is not null)
            {
                o.Configuration["FirstParty:Collector:Snowplow:IpForwarding"] = setting;
            }
        });
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar, configure: request =>
        {
            request.Headers.TryAddWithoutValidation(ClientIpHeader, "203.0.113.77");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
            request.Headers.TryAddWithoutValidation("Forwarded", "for=6.6.6.6");
            request.Headers.TryAddWithoutValidation("X-Real-IP", "6.6.6.6");
        });

        var call = Assert.Single(await _upstream.WaitForAsync(1));
        var xff = Assert.Single(call.Headers["X-Forwarded-For"]);
        Assert.Equal(expected, xff);
        Assert.Null(call.Header("Forwarded"));
        Assert.Null(call.Header("X-Real-IP"));
    }

    [Theory]
    [InlineData(null, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36")]
    [InlineData("Reduced", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_0_0) AppleWebKit/537.0 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.0")]
    [InlineData("None", null)]
    public async Task TheUserAgent_IsForwardedAsConfigured(string? setting, string? expected)
    {
        await using var app = await StartAsync(_upstream, _spill, o =>
        {
            if (setting is not null)
            {
                o.Configuration["FirstParty:Collector:Snowplow:UserAgent"] = setting;
            }
        });
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar, configure: request =>
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36"));

        var call = Assert.Single(await _upstream.WaitForAsync(1));
        // HttpClient keeps the header as product tokens; on the wire they are one line joined by spaces.
        Assert.Equal(expected, call.Headers.TryGetValue("User-Agent", out var tokens) ? string.Join(' ', tokens) : null);
    }

    [Fact]
    public async Task SpAnonymous_ForwardsTheHeader_WithoutNetworkIdOrIp_AndExpiresSp()
    {
        await using var app = await StartAsync(_upstream, _spill, o => o.Configuration["FirstParty:Collector:Snowplow:IpForwarding"] = "Full");
        var jar = new CookieJar();
        await app.VisitAsync(jar);
        await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);
        Assert.NotNull(jar["sp"]);
        await _upstream.WaitForAsync(1);
        _upstream.Calls.Clear();

        var response = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar, configure: request =>
        {
            request.Headers.TryAddWithoutValidation("SP-Anonymous", "*");
            request.Headers.TryAddWithoutValidation(ClientIpHeader, "203.0.113.77");
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Written("sp"));
        Assert.NotEmpty(response.Deletions("sp"));
        Assert.Null(jar["sp"]);
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.Equal("*", call.Header("SP-Anonymous"));
        Assert.Empty(call.Uri.Query);
        Assert.Null(call.Header("X-Forwarded-For"));
        Assert.Null(call.Header("Cookie"));
    }

    [Fact]
    public async Task AnonymousAndNamedHits_GoInSeparatePosts_SameVisitorsHitsInOne()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var vendor = Vendor(app);
        var envelopes = new[]
        {
            Envelope(vendor, "a", anonymous: false, nuid: "11111111-1111-4111-8111-111111111111"),
            Envelope(vendor, "b", anonymous: true, nuid: null),
            Envelope(vendor, "c", anonymous: false, nuid: "11111111-1111-4111-8111-111111111111"),
        };
        var requests = vendor.CreateRequests(new Uri("https://collector.snowplow.test/"), envelopes).ToList();

        Assert.Equal(2, requests.Count);
        Assert.Equal(new[] { 0, 2 }, requests[0].Items);
        Assert.Equal(new[] { 1 }, requests[1].Items);
        Assert.Equal("https://collector.snowplow.test/com.snowplowanalytics.snowplow/tp2?nuid=11111111-1111-4111-8111-111111111111", requests[0].Message.RequestUri!.AbsoluteUri);
        var body = await requests[0].Message.Content!.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        Assert.Equal(["a", "c"], document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("eid").GetString()));
    }

    [Fact]
    public async Task BigGroups_AreSplitAtTheTrackersPostSize()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var vendor = Vendor(app);
        var padding = new string('x', 15_000);
        var envelopes = Enumerable.Range(0, 5).Select(i => Envelope(vendor, i.ToString(System.Globalization.CultureInfo.InvariantCulture), false, null, padding)).ToArray();

        var requests = vendor.CreateRequests(new Uri("https://collector.snowplow.test"), envelopes).ToList();

        Assert.Equal(new[] { new[] { 0, 1 }, [2, 3], [4] }, requests.Select(r => r.Items));
        foreach (var request in requests)
        {
            var bytes = await request.Message.Content!.ReadAsByteArrayAsync();
            Assert.True(bytes.Length <= 40_000, $"{bytes.Length} bytes");
            Assert.Equal("https://collector.snowplow.test/com.snowplowanalytics.snowplow/tp2", request.Message.RequestUri!.AbsoluteUri);
        }
    }

    [Fact]
    public async Task PixelHits_AreForwardedAsTp2Posts_WithTheirBase64Intact()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);

        var response = await app.SendRawAsync(HttpMethod.Get, Pixel + RealTrackerPixelQuery, jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("image/gif", response.ContentType);
        Assert.Equal(["must-revalidate", "no-cache", "no-store"], response.Header("Cache-Control")!.Split(", ").Order(StringComparer.Ordinal));
        Assert.StartsWith("GIF89a", response.Body, StringComparison.Ordinal);
        Assert.NotNull(response.Written("sp"));
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.EndsWith("/com.snowplowanalytics.snowplow/tp2", call.Uri.AbsolutePath, StringComparison.Ordinal);
        var forwarded = Assert.Single(Events(call));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(RealTrackerPixelQuery);
        Assert.Equal(query["cx"].ToString(), forwarded["cx"]);
        Assert.Equal("Products – Shop", forwarded["page"]);
        Assert.Equal(query["eid"].ToString(), forwarded["eid"]);
        Assert.Equal(visitor.VisitorId, forwarded["duid"]);
        Assert.Equal(query.Count, forwarded.Count);
    }

    [Theory]
    [InlineData(200, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Delivered)]
    [InlineData(204, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Delivered)]
    [InlineData(400, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(401, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(403, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(410, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(413, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(422, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Rejected)]
    [InlineData(404, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Retry)]
    [InlineData(429, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Retry)]
    [InlineData(500, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Retry)]
    [InlineData(503, FirstParty.AspNetCore.Outbox.DeliveryOutcome.Retry)]
    internal async Task UpstreamAnswers_AreClassifiedAsTheTrackerWould(int status, FirstParty.AspNetCore.Outbox.DeliveryOutcome expected)
    {
        var vendor = new FirstParty.AspNetCore.Collector.SnowplowCollector(null!, null!);
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.Equal(expected, await vendor.ClassifyAsync(response, CancellationToken.None));
    }

    private static FirstParty.AspNetCore.Collector.ICollectorVendor Vendor(TestApp app)
        => Assert.Single(app.Services.GetServices<FirstParty.AspNetCore.Collector.ICollectorVendor>(), v => v.Name == "snowplow");

    private static FirstParty.AspNetCore.Collector.CollectorEnvelope Envelope(FirstParty.AspNetCore.Collector.ICollectorVendor vendor, string eid, bool anonymous, string? nuid, string padding = "")
        => new()
        {
            Vendor = vendor.Name,
            Path = "/com.snowplowanalytics.snowplow/tp2",
            Body = $"[{{\"e\":\"pv\",\"eid\":\"{eid}\",\"url\":\"https://shop.example.com/{padding}\"}}]",
            Anonymous = anonymous,
            NetworkUserId = nuid,
        };

    private static List<Dictionary<string, string>> ParseEvents(string body)
        => Events(new UpstreamCall(HttpMethod.Post, new Uri("https://x"), new Dictionary<string, string[]>(), null, body));
}
