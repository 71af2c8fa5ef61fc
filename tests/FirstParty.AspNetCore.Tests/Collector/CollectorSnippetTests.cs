using System.Text.Json.Nodes;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Tests.Providers;
using FirstParty.AspNetCore.Tests.TrackingSnippets;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>With the collector on, each snippet points its SDK at the same-origin endpoint by itself.</summary>
public sealed class CollectorSnippetTests
{
    private static FirstPartyOptions Options(bool collector)
    {
        var options = new FirstPartyOptions();
        options.Providers.Snowplow.ScriptUrl = "/js/sp.js";
        options.Providers.Snowplow.CollectorUrl = "https://collector.example.com";
        options.Providers.Amplitude.ScriptUrl = "/js/amp.js";
        options.Providers.Amplitude.ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
        options.Providers.Amplitude.ServerUrl = "https://api2.amplitude.com/2/httpapi";
        options.Providers.GoogleAnalytics.MeasurementId = "G-TEST123";
        options.Providers.Plausible.Domain = "shop.example";
        if (collector)
        {
            options.Collector.Enabled = true;
            options.Collector.Snowplow.Upstream = new Uri("https://collector.example.com");
            options.Collector.Amplitude.Upstream = new Uri("https://api2.amplitude.com");
            options.Collector.GoogleAnalytics.Upstream = new Uri("https://region1.google-analytics.com");
            options.Collector.Plausible.Upstream = new Uri("https://plausible.io");
        }

        return options;
    }

    private static TrackingContext Context()
    {
        var http = ProviderTestSupport.Http("shop.example");
        http.Features.Set<IConsentFeature>(new GrantedCategories("analytics"));
        return new TrackingContext(http, true, new ProviderIds(null, null, null), null);
    }

    private static string Code(ITrackingSnippet snippet) => string.Concat(snippet.GetScripts(Context()).Select(s => s.Code));

    [Fact]
    public void Snowplow_sends_to_the_collector_and_calls_its_cookie_extension_service()
    {
        var on = Code(new SnowplowSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: true))));
        var off = Code(new SnowplowSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: false))));

        Assert.Contains("\"https://shop.example/_fp/c/snowplow\"", on, StringComparison.Ordinal);
        Assert.Contains("\"cookieExtensionService\":\"/_fp/c/snowplow/cookie-extension\"", on, StringComparison.Ordinal);
        Assert.Contains("\"https://collector.example.com\"", off, StringComparison.Ordinal);
        Assert.DoesNotContain("cookieExtensionService", off, StringComparison.Ordinal);
    }

    [Fact]
    public void Amplitude_analytics_browser_gets_the_collector_as_its_server_url()
    {
        var on = Code(new AmplitudeSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: true))));
        var off = Code(new AmplitudeSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: false))));

        Assert.Contains("\"serverUrl\":\"/_fp/c/amplitude/2/httpapi\"", on, StringComparison.Ordinal);
        Assert.Contains("\"serverUrl\":\"https://api2.amplitude.com/2/httpapi\"", off, StringComparison.Ordinal);
    }

    [Fact]
    public void Amplitude_js_keeps_its_own_endpoint_because_it_speaks_an_older_api()
    {
        var options = Options(collector: true);
        options.Providers.Amplitude.Sdk = AmplitudeSdk.AmplitudeJs;

        var code = Code(new AmplitudeSnippet(Microsoft.Extensions.Options.Options.Create(options)));

        Assert.DoesNotContain("_fp/c", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Gtag_gets_the_collector_as_its_transport_url()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options(collector: true));
        var snippet = new GoogleAnalyticsSnippet(options, new ProviderMirrors([], ProviderTestSupport.Domains(), TimeProvider.System, ProviderTestSupport.Metrics()));

        Assert.Contains("\"transport_url\":\"https://shop.example/_fp/c/ga4\"", Code(snippet), StringComparison.Ordinal);
    }

    [Fact]
    public void Plausible_gets_the_collector_as_its_data_api()
    {
        var on = new PlausibleSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: true))).GetScripts(Context()).Single();
        var off = new PlausibleSnippet(Microsoft.Extensions.Options.Options.Create(Options(collector: false))).GetScripts(Context()).Single();

        Assert.Equal("/_fp/c/plausible/api/event", on.Attributes!["data-api"]);
        Assert.False(off.Attributes!.ContainsKey("data-api"));
    }

    [Fact]
    public void A_vendor_the_collector_does_not_forward_keeps_its_own_endpoint()
    {
        var options = Options(collector: true);
        options.Collector.Amplitude.Upstream = null;

        var code = Code(new AmplitudeSnippet(Microsoft.Extensions.Options.Options.Create(options)));

        Assert.Contains("\"serverUrl\":\"https://api2.amplitude.com/2/httpapi\"", code, StringComparison.Ordinal);
    }
}
