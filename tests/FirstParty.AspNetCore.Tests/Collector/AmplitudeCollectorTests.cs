using System.Net;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FirstParty.AspNetCore.Tests.Collector;

public sealed class AmplitudeCollectorTests
{
    private const string Endpoint = "/amplitude/2/httpapi";
    private const string SdkDeviceId = "a1b2c3d4-sdk-own-device-id";
    private const string InsertId = "8f14e45f-ceea-467f-a0e6-7b3c6d1f2a90";

    /// <summary>What @amplitude/analytics-browser 2.x posts to its serverUrl (§2.4): the key in the body, ip "$remote", its own ids.</summary>
    private static string SdkBody(string insertId = InsertId, string eventType = "[Amplitude] Page Viewed", string apiKey = VendorTestHost.ApiKey) => $$$"""
        {"api_key":"{{{apiKey}}}","events":[{"device_id":"{{{SdkDeviceId}}}","session_id":1767614400000,"time":1767614401234,"platform":"Web","language":"en-US","ip":"$remote","insert_id":"{{{insertId}}}","event_type":"{{{eventType}}}","event_properties":{"[Amplitude] Page Path":"/cart","items":3},"event_id":7,"library":"amplitude-ts/2.45.6","user_agent":"{{{VendorTestHost.UserAgent}}}"}],"options":{},"client_upload_time":"2026-01-05T12:00:01.500Z","request_metadata":{"sdk":{"metrics":{"histogram":{} }} }}
        """;

    [Fact]
    public async Task The_sdk_upload_is_forwarded_to_the_http_api_with_the_server_device_id_and_no_ip()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var replaced = host.App.CollectMetric("firstparty.collector.ids.replaced");
        var (jar, visitorId) = await host.VisitAsync();
        var body = SdkBody();

        var answer = await host.PostAsync(Endpoint, body, "application/json", jar);

        // Amplitude's own success body: the SDK reads code, never "{}".
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        var json = answer.Json();
        Assert.Equal(200, json.GetProperty("code").GetInt32());
        Assert.Equal(1, json.GetProperty("events_ingested").GetInt32());
        Assert.Equal(Encoding.UTF8.GetByteCount(body), json.GetProperty("payload_size_bytes").GetInt32());
        Assert.Equal(host.App.Time.GetUtcNow().ToUnixTimeMilliseconds(), json.GetProperty("server_upload_time").GetInt64());
        Assert.Empty(answer.RawSetCookies);

        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.Equal("https://api2.amplitude.test/2/httpapi", call.Uri.ToString());
        Assert.Equal("application/json", call.ContentType);
        Assert.Null(call.Header("Cookie"));
        Assert.Null(call.Header("X-Forwarded-For"));

        using var upload = JsonDocument.Parse(call.Body);
        var root = upload.RootElement;
        Assert.Equal(["api_key", "events"], root.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(VendorTestHost.ApiKey, root.GetProperty("api_key").GetString());
        var e = Assert.Single(root.GetProperty("events").EnumerateArray());
        Assert.Equal(visitorId, e.GetProperty("device_id").GetString());
        Assert.False(e.TryGetProperty("ip", out _), "IpForwarding None (Amplitude's default) must remove ip, not relay \"$remote\".");
        Assert.Equal(VendorTestHost.UserAgent, e.GetProperty("user_agent").GetString());
        Assert.Equal(InsertId, e.GetProperty("insert_id").GetString());
        Assert.Equal("[Amplitude] Page Viewed", e.GetProperty("event_type").GetString());
        Assert.Equal(JsonValueKind.Number, e.GetProperty("time").ValueKind);
        Assert.Equal(1767614401234, e.GetProperty("time").GetInt64());
        Assert.Equal(1767614400000, e.GetProperty("session_id").GetInt64());
        Assert.Equal(7, e.GetProperty("event_id").GetInt32());
        Assert.Equal(3, e.GetProperty("event_properties").GetProperty("items").GetInt32());
        Assert.Equal("amplitude-ts/2.45.6", e.GetProperty("library").GetString());
        Assert.Equal(1, replaced.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Theory]
    [InlineData("Anonymized", "203.0.113.0")]
    [InlineData("Full", VendorTestHost.ClientIp)]
    public async Task The_ip_field_is_the_visitors_address_as_configured(string forwarding, string expected)
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:Amplitude:IpForwarding"] = forwarding);
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint, SdkBody(), "application/json", jar);

        var e = Event(Assert.Single(await host.Upstream.WaitForAsync(1)));
        Assert.Equal(expected, e.GetProperty("ip").GetString());
    }

    [Theory]
    [InlineData("None", null)]
    [InlineData("Reduced", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.0 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.0")]
    public async Task The_user_agent_field_follows_the_setting(string setting, string? expected)
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:Amplitude:UserAgent"] = setting);
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint, SdkBody(), "application/json", jar);

        var e = Event(Assert.Single(await host.Upstream.WaitForAsync(1)));
        Assert.Equal(expected, e.TryGetProperty("user_agent", out var ua) ? ua.GetString() : null);
    }

    [Fact]
    public async Task The_signed_in_users_id_replaces_the_sdks()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.ConfigureFirstParty = f => f.Providers.UserId = _ => "user-4711");
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint, SdkBody(), "application/json", jar);

        Assert.Equal("user-4711", Event(Assert.Single(await host.Upstream.WaitForAsync(1))).GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task A_beacon_sent_as_text_plain_is_forwarded_as_json()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, visitorId) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint, SdkBody(), "text/plain;charset=UTF-8", jar);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        Assert.Equal("application/json", call.ContentType);
        Assert.Equal(visitorId, Event(call).GetProperty("device_id").GetString());
    }

    [Fact]
    public async Task A_gzip_body_is_read()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostGzipAsync(Endpoint, SdkBody(), "application/json", jar);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(InsertId, Event(Assert.Single(await host.Upstream.WaitForAsync(1))).GetProperty("insert_id").GetString());
    }

    [Fact]
    public async Task The_batch_endpoint_forwards_to_amplitudes_batch_api()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync("/amplitude/batch", SdkBody(), "application/json", jar);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("https://api2.amplitude.test/batch", Assert.Single(await host.Upstream.WaitForAsync(1)).Uri.ToString());
    }

    [Fact]
    public async Task An_event_without_insert_id_gets_one_that_stays_the_same_on_retries()
    {
        await using var host = await VendorTestHost.StartAsync();
        var attempts = 0;
        host.Upstream.Respond = _ => Interlocked.Increment(ref attempts) == 1
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"code\":200}") };
        var (jar, _) = await host.VisitAsync();
        var body = SdkBody().Replace($"\"insert_id\":\"{InsertId}\",", string.Empty, StringComparison.Ordinal);

        await host.PostAsync(Endpoint, body, "application/json", jar);

        var calls = await host.Upstream.WaitForAsync(2);
        var first = Event(calls[0]).GetProperty("insert_id").GetString();
        Assert.True(Guid.TryParse(first, out _));
        Assert.Equal(first, Event(calls[1]).GetProperty("insert_id").GetString());
    }

    [Fact]
    public async Task A_429_then_a_503_are_retried_until_delivered()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var forwarded = host.App.CollectMetric("firstparty.collector.forwarded");
        var attempts = 0;
        host.Upstream.Respond = _ => Interlocked.Increment(ref attempts) switch
        {
            1 => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{\"code\":429,\"error\":\"Too many requests for some devices and users\"}") },
            2 => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"code\":200}") },
        };
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint, SdkBody(), "application/json", jar);

        var calls = await host.Upstream.WaitForAsync(3);
        Assert.All(calls, c => Assert.Equal(InsertId, Event(c).GetProperty("insert_id").GetString()));
        await WaitUntilAsync(() => forwarded.GetMeasurementSnapshot().Sum(m => m.Value) == 1);
        await VendorTestHost.SettleAsync();
        Assert.Equal(3, host.Upstream.Calls.Count);
    }

    [Fact]
    public async Task Without_consent_the_sdk_gets_amplitudes_success_answer_and_nothing_is_forwarded()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Consent:Regime"] = "OptIn");
        using var dropped = host.App.CollectMetric("firstparty.collector.dropped");
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint, SdkBody(), "application/json", jar);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var json = answer.Json();
        Assert.Equal(200, json.GetProperty("code").GetInt32());
        Assert.Equal(1, json.GetProperty("events_ingested").GetInt32());
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("consent", measurement.Tags["reason"]);
        Assert.Equal("amplitude", measurement.Tags["vendor"]);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem_with_a_numeric_code()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint, "{\"api_key\":", "application/json", jar);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        var json = answer.Json();
        Assert.Equal(JsonValueKind.Number, json.GetProperty("code").ValueKind);
        Assert.Equal(400, json.GetProperty("code").GetInt32());
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.Equal("Invalid JSON request body", json.GetProperty("error").GetString());
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task An_upload_without_api_key_names_the_missing_field_so_the_sdk_drops_it()
    {
        await using var host = await VendorTestHost.StartAsync();

        var answer = await host.PostAsync(Endpoint, "{\"events\":[{\"event_type\":\"x\",\"device_id\":\"abcdef\"}]}", "application/json", null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("api_key", answer.Json().GetProperty("missing_field").GetString());
    }

    [Fact]
    public async Task Events_with_bad_fields_are_named_by_index_and_nothing_is_forwarded()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();
        var body = $$"""{"api_key":"{{VendorTestHost.ApiKey}}","events":[{"event_type":"ok","device_id":"abcdef"},{"device_id":"abcdef"},{"event_type":"t","time":"2026-01-05T12:00:00Z"}]}""";

        var answer = await host.PostAsync(Endpoint, body, "application/json", jar);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        var json = answer.Json();
        Assert.Equal(400, json.GetProperty("code").GetInt32());
        Assert.Equal([1], json.GetProperty("events_with_missing_fields").GetProperty("event_type").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Equal([2], json.GetProperty("events_with_invalid_fields").GetProperty("time").EnumerateArray().Select(i => i.GetInt32()));
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task Another_projects_api_key_is_not_relayed()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint, SdkBody(apiKey: "ffffffffffffffffffffffffffffffff"), "application/json", jar);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.StartsWith("Invalid API key", answer.Json().GetProperty("error").GetString(), StringComparison.Ordinal);
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task More_than_2000_events_are_refused()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:Amplitude:MaxBodyBytes"] = "1048576");
        var events = string.Join(',', Enumerable.Repeat("{\"event_type\":\"e\"}", 2001));

        var answer = await host.PostAsync(Endpoint, $"{{\"api_key\":\"{VendorTestHost.ApiKey}\",\"events\":[{events}]}}", "application/json", null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(400, answer.Json().GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_with_the_code_the_sdk_reads()
    {
        await using var host = await VendorTestHost.StartAsync();
        var padding = new string('x', 70_000);

        var answer = await host.PostAsync(Endpoint, SdkBody(eventType: padding), "application/json", null);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(413, answer.Json().GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Uploads_of_several_visitors_are_merged_into_one_request_keeping_every_insert_id()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var gate = new ManualResetEventSlim();
        var first = true;
        host.Upstream.Respond = _ =>
        {
            if (first)
            {
                first = false;
                gate.Wait(TimeSpan.FromSeconds(10));
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"code\":200}") };
        };

        // The first upload holds the forwarder in its request, so the next three wait in the queue together.
        var (warmJar, _) = await host.VisitAsync();
        await host.PostAsync(Endpoint, SdkBody(Guid.NewGuid().ToString()), "application/json", warmJar);
        await host.Upstream.WaitForAsync(1);
        var visitors = new List<(string VisitorId, string InsertId)>();
        for (var i = 0; i < 3; i++)
        {
            var (jar, visitorId) = await host.VisitAsync();
            var insertId = Guid.NewGuid().ToString();
            await host.PostAsync(Endpoint, SdkBody(insertId), "application/json", jar);
            visitors.Add((visitorId, insertId));
        }

        gate.Set();

        var merged = (await host.Upstream.WaitForAsync(2))[1];
        using var upload = JsonDocument.Parse(merged.Body);
        var events = upload.RootElement.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("device_id").GetString()!, e.GetProperty("insert_id").GetString()!)).ToList();
        Assert.Equal(visitors, events);
        Assert.Equal(VendorTestHost.ApiKey, upload.RootElement.GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task With_a_BatchDelay_uploads_arriving_within_it_go_upstream_in_one_request_once_it_has_passed()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:BatchDelay"] = "00:00:01");
        var sent = new List<(string VisitorId, string InsertId)>();
        for (var i = 0; i < 3; i++)
        {
            var (jar, visitorId) = await host.VisitAsync();
            var insertId = Guid.NewGuid().ToString();
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(Endpoint, SdkBody(insertId), "application/json", jar)).Status);
            sent.Add((visitorId, insertId));
        }

        // The app's clock stands still: nothing leaves before the delay has passed.
        await Task.Delay(200);
        Assert.Empty(host.Upstream.Calls);

        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        using var upload = JsonDocument.Parse(call.Body);
        var events = upload.RootElement.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("device_id").GetString()!, e.GetProperty("insert_id").GetString()!)).ToList();
        Assert.Equal(sent, events);
        await Task.Delay(100);
        Assert.Single(host.Upstream.Calls);
    }

    [Fact]
    public async Task A_merged_request_amplitude_rejects_is_split_so_the_good_events_arrive()
    {
        await using var host = await VendorTestHost.StartAsync();
        var vendor = host.App.Services.GetServices<ICollectorVendor>().OfType<AmplitudeCollector>().Single();
        var sink = new CollectorUpstreamSink(
            vendor,
            new Uri("https://api2.amplitude.test"),
            host.App.Services.GetRequiredService<CollectorUpstreamClient>(),
            host.App.Services.GetRequiredService<FirstPartyMetrics>(),
            NullLogger.Instance);
        host.Upstream.Respond = call => call.Body.Contains("\"bad\"", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("{\"code\":400,\"error\":\"Invalid field values on some events\"}") }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"code\":200}") };
        CollectorEnvelope[] batch = [Envelope("good-1"), Envelope("bad"), Envelope("good-2")];
        var outcomes = new DeliveryOutcome[batch.Length];

        await sink.DeliverAsync(batch, outcomes, CancellationToken.None);

        Assert.Equal([DeliveryOutcome.Delivered, DeliveryOutcome.Rejected, DeliveryOutcome.Delivered], outcomes);
        var calls = host.Upstream.Calls.ToList();
        Assert.Equal(3, Events(calls[0]).Count);
        var delivered = calls.Skip(1).Where(c => !c.Body.Contains("\"bad\"", StringComparison.Ordinal)).SelectMany(Events).ToList();
        Assert.Equal(["good-1", "good-2"], delivered.Order());
    }

    [Fact]
    public void Requests_stay_within_2000_events()
    {
        var vendor = new AmplitudeCollector(Microsoft.Extensions.Options.Options.Create(new FirstPartyOptions()));
        var many = string.Join(',', Enumerable.Range(0, 1500).Select(i => $"{{\"event_type\":\"e\",\"insert_id\":\"{i}\"}}"));
        CollectorEnvelope[] batch =
        [
            new() { Vendor = "amplitude", Path = "/2/httpapi", Body = $"{{\"api_key\":\"k\",\"events\":[{many}]}}", Events = 1500 },
            new() { Vendor = "amplitude", Path = "/2/httpapi", Body = $"{{\"api_key\":\"k\",\"events\":[{many}]}}", Events = 1500 },
            new() { Vendor = "amplitude", Path = "/2/httpapi", Body = "{\"api_key\":\"other\",\"events\":[{\"event_type\":\"e\"}]}", Events = 1 },
        ];

        var requests = vendor.CreateRequests(new Uri("https://api2.amplitude.test"), batch).ToList();

        Assert.Equal([[0], [1], [2]], requests.Select(r => r.Items).OrderBy(i => i[0]));
        foreach (var request in requests)
        {
            request.Message.Dispose();
        }
    }

    [Fact]
    public async Task A_server_side_event_is_an_amplitude_event_with_the_server_ids()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, visitorId) = await host.VisitAsync();
        var sent = host.App.Time.GetUtcNow();

        await host.App.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar, r => r.Headers.TryAddWithoutValidation("User-Agent", VendorTestHost.UserAgent));

        var call = Assert.Single(await host.Upstream.WaitForAsync(c => c.Uri.Host == "api2.amplitude.test"));
        Assert.Equal("/2/httpapi", call.Uri.AbsolutePath);
        using var upload = JsonDocument.Parse(call.Body);
        Assert.Equal(VendorTestHost.ApiKey, upload.RootElement.GetProperty("api_key").GetString());
        var e = Assert.Single(upload.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal("purchase", e.GetProperty("event_type").GetString());
        Assert.Equal(visitorId, e.GetProperty("device_id").GetString());
        Assert.Equal(JsonValueKind.Number, e.GetProperty("session_id").ValueKind);
        Assert.Equal(sent.ToUnixTimeMilliseconds(), e.GetProperty("time").GetInt64());
        Assert.True(Guid.TryParse(e.GetProperty("insert_id").GetString(), out _));
        Assert.Equal("Web", e.GetProperty("platform").GetString());
        Assert.StartsWith("firstparty-dotnet/", e.GetProperty("library").GetString(), StringComparison.Ordinal);
        Assert.False(e.TryGetProperty("ip", out _));
        Assert.Equal(VendorTestHost.UserAgent, e.GetProperty("user_agent").GetString());
    }

    private static CollectorEnvelope Envelope(string insertId) => new()
    {
        Vendor = "amplitude",
        Path = "/2/httpapi",
        Body = $"{{\"api_key\":\"{VendorTestHost.ApiKey}\",\"events\":[{{\"event_type\":\"e\",\"device_id\":\"device-{insertId}\",\"insert_id\":\"{insertId}\"}}]}}",
        IdempotencyKeys = [insertId],
    };

    private static List<string> Events(UpstreamCall call)
    {
        using var upload = JsonDocument.Parse(call.Body);
        return [.. upload.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("insert_id").GetString()!)];
    }

    private static JsonElement Event(UpstreamCall call)
    {
        using var upload = JsonDocument.Parse(call.Body);
        return upload.RootElement.GetProperty("events")[0].Clone();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true in time.");
            await Task.Delay(10);
        }
    }
}
