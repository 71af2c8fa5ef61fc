using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>Snowplow hits as the real tracker sends them, and a TestApp with the collector forwarding Snowplow.</summary>
internal static class SnowplowTestSupport
{
    public const string Tp2 = CollectorTestSupport.Prefix + "/snowplow/com.snowplowanalytics.snowplow/tp2";
    public const string Pixel = CollectorTestSupport.Prefix + "/snowplow/i";
    public const string CookieExtension = CollectorTestSupport.Prefix + "/snowplow/cookie-extension";
    public const string TrackerContentType = "application/json; charset=UTF-8";

    /// <summary>The address every request of the app comes from (what the forwarded-headers middleware would have set).</summary>
    public const string ClientIpHeader = "X-Test-Connection-Ip";

    /// <summary>
    /// Three events (a page view with a web_page context, a structured event, a self-describing
    /// event) exactly as @snowplow/tracker-core 4.10.1's emitter posted them: captured from its
    /// <c>customFetch</c> in Node, the browser fields (<c>duid</c>, <c>vid</c>, <c>sid</c>, <c>cookie</c>,
    /// <c>cs</c>, <c>vp</c>, <c>ds</c>) given as @snowplow/browser-tracker-core's browser plugin adds them.
    /// </summary>
    public const string RealTrackerPost = """
        {"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"pv","url":"https://shop.example.com/products?id=7","page":"Products – Shop","refr":"https://www.google.com/","eid":"42be6302-73af-4a74-92d9-cf8385dd3ff2","tv":"js-4.10.1","tna":"sp","aid":"razor-sample","p":"web","lang":"en-GB","res":"1920x1080","cd":"24","tz":"Europe/London","dtm":"1796610156096","duid":"3c0e8f1d-6a2b-4c9e-8f7a-1b2c3d4e5f60","vid":"3","sid":"9d2f7a61-2b3c-4d5e-9f80-a1b2c3d4e5f6","cookie":"1","cs":"UTF-8","vp":"1200x800","ds":"1200x3000","co":"{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":[{\"schema\":\"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0\",\"data\":{\"id\":\"f6a2b1c3-1111-4222-8333-944455566677\"}}]}","stm":"1796610156107"},{"e":"se","se_ca":"checkout","se_ac":"add-to-basket","se_la":"sku-42","se_pr":"red","se_va":"2.5","eid":"7fd7f651-39e1-4c54-b5c0-9aead57514fb","tv":"js-4.10.1","tna":"sp","aid":"razor-sample","p":"web","lang":"en-GB","res":"1920x1080","cd":"24","tz":"Europe/London","dtm":"1796610156106","duid":"3c0e8f1d-6a2b-4c9e-8f7a-1b2c3d4e5f60","vid":"3","sid":"9d2f7a61-2b3c-4d5e-9f80-a1b2c3d4e5f6","cookie":"1","cs":"UTF-8","vp":"1200x800","ds":"1200x3000","stm":"1796610156107"},{"e":"ue","eid":"b903c43c-04f3-4dff-825f-1c66f66d5e92","tv":"js-4.10.1","tna":"sp","aid":"razor-sample","p":"web","lang":"en-GB","res":"1920x1080","cd":"24","tz":"Europe/London","dtm":"1796610156106","duid":"3c0e8f1d-6a2b-4c9e-8f7a-1b2c3d4e5f60","vid":"3","sid":"9d2f7a61-2b3c-4d5e-9f80-a1b2c3d4e5f6","cookie":"1","cs":"UTF-8","vp":"1200x800","ds":"1200x3000","ue_pr":"{\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0\",\"data\":{\"schema\":\"iglu:com.acme/signup/jsonschema/1-0-0\",\"data\":{\"plan\":\"pro\",\"seats\":3}}}","stm":"1796610156107"}]}
        """;

    /// <summary>The same tracker's GET of the page view (<c>eventMethod: 'get'</c>): <c>stm</c> first, the context base64 in <c>cx</c>.</summary>
    public const string RealTrackerPixelQuery = "?stm=1796610156666&e=pv&url=https%3A%2F%2Fshop.example.com%2Fproducts%3Fid%3D7&page=Products%20%E2%80%93%20Shop&refr=https%3A%2F%2Fwww.google.com%2F&eid=c64f5fdd-b7cf-4902-b015-8ad54279b048&tv=js-4.10.1&tna=sp&aid=razor-sample&p=web&lang=en-GB&res=1920x1080&cd=24&tz=Europe%2FLondon&dtm=1796610156659&duid=3c0e8f1d-6a2b-4c9e-8f7a-1b2c3d4e5f60&vid=3&sid=9d2f7a61-2b3c-4d5e-9f80-a1b2c3d4e5f6&cookie=1&cs=UTF-8&vp=1200x800&ds=1200x3000&cx=eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cy9qc29uc2NoZW1hLzEtMC0wIiwiZGF0YSI6W3sic2NoZW1hIjoiaWdsdTpjb20uc25vd3Bsb3dhbmFseXRpY3Muc25vd3Bsb3cvd2ViX3BhZ2UvanNvbnNjaGVtYS8xLTAtMCIsImRhdGEiOnsiaWQiOiJmNmEyYjFjMy0xMTExLTQyMjItODMzMy05NDQ0NTU1NjY2NzcifX1dfQ";

    /// <summary>A one-event payload_data body with the given fields (every value as given: strings unless a test says otherwise).</summary>
    public static string Post(params (string Name, object? Value)[] fields) => PostMany([fields]);

    public static string PostMany(IEnumerable<(string Name, object? Value)[]> events)
        => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["schema"] = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4",
            ["data"] = events.Select(e => e.ToDictionary(f => f.Name, f => f.Value)).ToArray(),
        });

    /// <summary>A minimal event as the tracker would send it, with a fresh <c>eid</c>.</summary>
    public static (string Name, object? Value)[] Event(string eid, params (string Name, object? Value)[] extra)
        => [("e", "pv"), ("url", "https://shop.example.com/"), ("eid", eid), ("tv", "js-4.10.1"), ("p", "web"), ("dtm", "1700000000000"), ("stm", "1700000000050"), .. extra];

    public static Task<TestApp> StartAsync(CapturingUpstream upstream, string spillDirectory, Action<TestAppOptions>? configure = null, bool snowplowProfile = true, string regime = "Implied")
        => TestApp.StartAsync(o =>
        {
            o.Configuration["FirstParty:Consent:Regime"] = regime;
            CollectorTestSupport.EnableCollector(o, upstream, spillDirectory);
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                services.AddSingleton<IStartupFilter, ConnectionIpStartupFilter>();
                if (snowplowProfile)
                {
                    new FirstPartyBuilder(services).AddSnowplow();
                }
            };
            configure?.Invoke(o);
        });

    public static Task<RawResponse> PostTp2Async(this TestApp app, string body, CookieJar? jar, string? contentType = TrackerContentType, Action<HttpRequestMessage>? configure = null)
        => app.SendRawAsync(HttpMethod.Post, Tp2, jar, request =>
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            request.Headers.TryAddWithoutValidation("Origin", "http://localhost");
            configure?.Invoke(request);
        });

    /// <summary>A navigation that mints the visitor (and, with the profile, the tracker's cookie); returns what the page saw.</summary>
    public static async Task<VisitorSnapshot> VisitAsync(this TestApp app, CookieJar jar)
    {
        var visit = await app.NavigateAsync("/", jar);
        Assert.Equal(HttpStatusCode.OK, visit.Status);
        return visit.RequireVisitor();
    }

    /// <summary>The events of one upstream post, each as name → value (asserting that every value is a string).</summary>
    public static List<Dictionary<string, string>> Events(UpstreamCall call)
    {
        using var document = JsonDocument.Parse(call.Body);
        Assert.Equal("iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", document.RootElement.GetProperty("schema").GetString());
        var events = new List<Dictionary<string, string>>();
        foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                Assert.True(property.Value.ValueKind == JsonValueKind.String, $"'{property.Name}' is {property.Value.ValueKind}, not a string.");
                fields.Add(property.Name, property.Value.GetString()!);
            }

            events.Add(fields);
        }

        return events;
    }

    public static List<Dictionary<string, string>> AllEvents(this CapturingUpstream upstream)
        => [.. upstream.Calls.SelectMany(Events)];

    /// <summary>
    /// Proves that nothing sent before was forwarded: sends a sentinel hit that is forwarded, waits for
    /// it, and checks that the upstream saw only the sentinel's event (the outbox keeps order, so
    /// anything queued earlier would have arrived first or with it).
    /// </summary>
    public static async Task AssertNothingElseForwardedAsync(TestApp app, CapturingUpstream upstream, CookieJar grantedJar)
    {
        var sentinel = Guid.NewGuid().ToString();
        var response = await app.PostTp2Async(Post(Event(sentinel)), grantedJar);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        await upstream.WaitForAsync(1);
        await Task.Delay(50);
        Assert.Equal([sentinel], upstream.AllEvents().Select(e => e["eid"]));
    }

    public static string TempDirectory() => Directory.CreateTempSubdirectory("fp-snowplow-").FullName;

    /// <summary>Plays the forwarded-headers middleware: the connection's address comes from a test header.</summary>
    private sealed class ConnectionIpStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(ClientIpHeader, out var ip))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(ip.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
