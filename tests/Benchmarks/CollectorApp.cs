using System.Buffers;
using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// An app with FirstParty, the Snowplow and Amplitude profiles and the collector, as the sample
/// configures them, plus <c>POST /bare</c>: an endpoint that reads the body the way the collector
/// does and answers, the baseline of what any endpoint taking the same hit costs.
/// </summary>
internal static class CollectorApp
{
    public const string AmplitudeApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public const string Tp2 = "/_fp/c/snowplow/com.snowplowanalytics.snowplow/tp2";
    public const string HttpApi = "/_fp/c/amplitude/2/httpapi";
    public const string Bare = "/bare";
    public const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    public static WebApplication Build(string upstream, string spillDirectory, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FirstParty:Providers:Snowplow:AppId"] = "bench",
            ["FirstParty:Providers:Amplitude:ApiKey"] = AmplitudeApiKey,
            ["FirstParty:Collector:Enabled"] = "true",
            ["FirstParty:Collector:SpillDirectory"] = spillDirectory,
            ["FirstParty:Collector:Snowplow:Upstream"] = upstream + "/snowplow",
            ["FirstParty:Collector:Amplitude:Upstream"] = upstream + "/amplitude",
        });
        builder.Services.AddRouting();
        builder.Services.AddDataProtection().AddKeyManagementOptions(static o => o.XmlRepository = new InMemoryXmlRepository());
        builder.Services.AddFirstParty(builder.Configuration.GetSection(FirstPartyOptions.SectionName)).AddSnowplow().AddAmplitude();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseFirstParty();
        app.MapFirstPartyCollector();
        app.MapPost(Bare, static async context =>
        {
            // What the collector does before its own work: read the whole body into an array.
            var buffer = ArrayPool<byte>.Shared.Rent((int)(context.Request.ContentLength ?? 4096) + 1);
            var length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length))) > 0)
            {
                length += read;
            }

            var body = buffer.AsSpan(0, length).ToArray();
            ArrayPool<byte>.Shared.Return(buffer);
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(body.Length > 0 ? "ok" : "empty");
        }).DisableVisitorCookies();
        return app;
    }

    /// <summary>
    /// Records an accept-all decision as the consent endpoint does and returns the Cookie header a
    /// browser sends afterwards (consent, visitor and session cookies).
    /// </summary>
    public static async Task<string> ConsentedCookieHeaderAsync(IServiceProvider services)
    {
        var response = new BenchmarkHost.StartingResponseFeature();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(response);
        context.Request.Host = new HostString("127.0.0.1");
        var manager = services.GetRequiredService<FirstParty.AspNetCore.Consent.ConsentManager>();
        var consent = manager.Resolve(context);
        context.Features.Set<IConsentFeature>(consent);
        services.GetRequiredService<FirstParty.AspNetCore.Pipeline.ResponseSteps>().Register(context);
        await services.GetRequiredService<FirstParty.AspNetCore.Pipeline.ConsentDecisions>()
            .DecideAsync(context, consent, "accept-all", [.. manager.Policy.Categories.Select(static c => c.Key)]);
        await response.FireOnStartingAsync();
        return string.Join("; ", context.Response.Headers.SetCookie.Select(static c => c![..c!.IndexOf(';', StringComparison.Ordinal)]));
    }

    /// <summary>A <c>payload_data</c> post of one page view as @snowplow/browser-tracker 4 sends it.</summary>
    public static string SnowplowPost(string eid) => $$$"""
        {"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"pv","url":"https://www.example.co.uk/products?id=7","page":"Products","refr":"https://www.google.com/","eid":"{{{eid}}}","tv":"js-4.10.1","tna":"sp","aid":"bench","p":"web","lang":"en-GB","res":"1920x1080","cd":"24","tz":"Europe/London","dtm":"1796610156096","vid":"1","cookie":"1","cs":"UTF-8","vp":"1200x800","ds":"1200x3000","co":"{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":[{\"schema\":\"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0\",\"data\":{\"id\":\"f6a2b1c3-1111-4222-8333-944455566677\"}}]}","stm":"1796610156107"}]}
        """;

    /// <summary>An upload of <paramref name="insertIds"/>.Length events as @amplitude/analytics-browser 2 posts it to its <c>serverUrl</c>.</summary>
    public static string AmplitudeUpload(IReadOnlyList<string> insertIds)
    {
        var events = string.Join(',', insertIds.Select((id, i) => $$"""
            {"device_id":"0f8c2d4e-sdk-device","session_id":1767614400000,"time":1767614401234,"platform":"Web","language":"en-GB","ip":"$remote","insert_id":"{{id}}","event_type":"[Amplitude] Page Viewed","event_properties":{"[Amplitude] Page Path":"/cart","items":3},"event_id":{{i + 1}},"library":"amplitude-ts/2.45.6","user_agent":"{{UserAgent}}"}
            """));
        return $$"""{"api_key":"{{AmplitudeApiKey}}","events":[{{events}}],"options":{},"client_upload_time":"2026-01-05T12:00:01.500Z",""" + "\"request_metadata\":{\"sdk\":{\"metrics\":{\"histogram\":{}}}}}";
    }
}
