using System.Text.Json.Nodes;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Tests.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.TrackingSnippets;

/// <summary>The built-in snippets' <see cref="ITrackingSnippet.GetScripts"/>, called directly.</summary>
public sealed class BuiltInSnippetTests
{
    private const string UserId = "user-42";
    private const string Hostile = "</script><script>alert(1)";
    private static readonly ProviderIds NoIds = new(null, null, null);

    private static IOptions<FirstPartyOptions> Options(Action<ProviderProfileOptions> configure)
    {
        var options = new FirstPartyOptions();
        configure(options.Providers);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    private static TrackingContext Context(string? userId = null, ProviderIds? ids = null, bool granted = true, string? pathBase = null, IVisitorFeature? visitor = null, params string[] consented)
    {
        var http = ProviderTestSupport.Http("shop.example");
        if (pathBase is not null)
        {
            http.Request.PathBase = new PathString(pathBase);
        }

        if (visitor is not null)
        {
            http.Features.Set(visitor);
        }

        http.Features.Set<IConsentFeature>(new GrantedCategories(consented));
        return new TrackingContext(http, granted, ids ?? NoIds, userId);
    }

    private static ProviderMirrors Mirrors(params ProviderProfile[] profiles)
        => new(profiles, ProviderTestSupport.Domains(), TimeProvider.System, ProviderTestSupport.Metrics());

    private static void AssertNoRawMarkup(string code)
    {
        Assert.DoesNotContain("<", code, StringComparison.Ordinal);
        Assert.DoesNotContain(">", code, StringComparison.Ordinal);
    }

    // ---- Snowplow ----

    private static SnowplowSnippet Snowplow(Action<SnowplowProfileOptions>? configure = null) => new(Options(p =>
    {
        p.Snowplow.ScriptUrl = "/js/sp.js";
        p.Snowplow.CollectorUrl = "/collector";
        configure?.Invoke(p.Snowplow);
    }));

    [Theory]
    [InlineData(null, null)]
    [InlineData("/js/sp.js", null)]
    [InlineData(null, "/collector")]
    public void Snowplow_renders_nothing_without_script_and_collector(string? scriptUrl, string? collectorUrl)
    {
        var snippet = new SnowplowSnippet(Options(p =>
        {
            p.Snowplow.ScriptUrl = scriptUrl;
            p.Snowplow.CollectorUrl = collectorUrl;
        }));

        Assert.Empty(snippet.GetScripts(Context(UserId)));
    }

    [Fact]
    public void Snowplow_loads_the_tracker_synchronously_then_creates_it()
    {
        var scripts = Snowplow(o => o.Integrity = "sha384-SP").GetScripts(Context()).ToList();

        Assert.Equal(2, scripts.Count);
        Assert.Equal(new TrackingScript { Src = "/js/sp.js", Integrity = "sha384-SP", Async = false }, scripts[0]);
        Assert.Null(scripts[1].Src);
        Assert.StartsWith("(window.firstPartyTrackers=window.firstPartyTrackers||{}).snowplow=snowplowBrowserTracking.newTracker(", scripts[1].Code, StringComparison.Ordinal);
        Assert.EndsWith(
            "snowplowBrowserTracking.trackPageView();"
            + "document.addEventListener('firstparty:navigate',function(){if(window.firstParty.isGranted(\"analytics\")){snowplowBrowserTracking.trackPageView();}});",
            scripts[1].Code,
            StringComparison.Ordinal);
        Assert.Contains(
            "window.firstParty.isGranted(\"marketing/snowplow\")",
            Snowplow(o => o.Category = "marketing/snowplow").GetScripts(Context()).ToList()[1].Code,
            StringComparison.Ordinal);
        Assert.Equal("snowplow", Snowplow().Name);
        Assert.Equal("analytics", Snowplow().ConsentKey);
        Assert.Equal("marketing", Snowplow(o => o.Category = "marketing").ConsentKey);
    }

    [Fact]
    public void Snowplow_tracker_gets_the_name_the_absolute_collector_and_the_cookie_settings()
    {
        var snippet = Snowplow(o =>
        {
            o.TrackerName = "shop";
            o.CookieNamePrefix = "_shop_";
            o.Secure = false;
            o.SameSite = "Strict";
            o.Lifetime = TimeSpan.FromDays(400);
            o.SessionTimeout = TimeSpan.FromMinutes(45);
            o.AppId = "web-shop";
            o.CookieDomain = ".shop.example";
            o.Settings["bufferSize"] = "1";
            o.Settings["anonymousTracking"] = "false";
            o.Settings["respectDoNotTrack"] = "true";
            o.Settings["eventMethod"] = "post";
            o.Settings["stateStorageStrategy"] = "cookieAndLocalStorage";
            o.Settings["maxPostBytes"] = "40000";
            o.Settings["discoverRootDomain"] = "null";
        });

        var code = snippet.GetScripts(Context(pathBase: "/app")).ToList()[1].Code!;

        Assert.Equal("shop", Scripts.Argument(code, "newTracker", 0)!.GetValue<string>());
        Assert.Equal("https://shop.example/app/collector", Scripts.Argument(code, "newTracker", 1)!.GetValue<string>());
        var expected = new JsonObject
        {
            ["cookieName"] = "_shop_",
            ["cookieSecure"] = false,
            ["cookieSameSite"] = "Strict",
            ["cookieLifetime"] = 34_560_000,
            ["sessionCookieTimeout"] = 2_700,
            ["appId"] = "web-shop",
            ["cookieDomain"] = ".shop.example",
            ["bufferSize"] = 1,
            ["anonymousTracking"] = false,
            ["respectDoNotTrack"] = true,
            ["eventMethod"] = "post",
            ["stateStorageStrategy"] = "cookieAndLocalStorage",
            ["maxPostBytes"] = 40000,
            ["discoverRootDomain"] = null,
        };
        var config = Scripts.Argument(code, "newTracker", 2);
        Assert.True(JsonNode.DeepEquals(expected, config), config!.ToJsonString());
    }

    [Fact]
    public void Snowplow_defaults_match_the_v4_tracker_and_omit_unset_values()
    {
        var code = Snowplow().GetScripts(Context()).ToList()[1].Code!;

        Assert.Equal("sp", Scripts.Argument(code, "newTracker", 0)!.GetValue<string>());
        var expected = new JsonObject
        {
            ["cookieName"] = "_sp_",
            ["cookieSecure"] = true,
            ["cookieSameSite"] = "Lax",
            ["cookieLifetime"] = 63_072_000,
            ["sessionCookieTimeout"] = 1_800,
        };
        var config = Scripts.Argument(code, "newTracker", 2);
        Assert.True(JsonNode.DeepEquals(expected, config), config!.ToJsonString());
    }

    [Theory]
    [InlineData("https://collector.example.com")]
    [InlineData("http://localhost:9090/c")]
    public void Snowplow_keeps_an_absolute_collector_as_is(string collector)
    {
        var code = Snowplow(o => o.CollectorUrl = collector).GetScripts(Context(pathBase: "/app")).ToList()[1].Code!;

        Assert.Equal(collector, Scripts.Argument(code, "newTracker", 1)!.GetValue<string>());
    }

    [Fact]
    public void Snowplow_sets_the_user_id_only_when_there_is_one()
    {
        var anonymous = Snowplow().GetScripts(Context()).ToList()[1].Code!;
        var signedIn = Snowplow().GetScripts(Context(UserId)).ToList()[1].Code!;

        Assert.DoesNotContain("setUserId", anonymous, StringComparison.Ordinal);
        Assert.Contains(");snowplowBrowserTracking.setUserId(\"user-42\");snowplowBrowserTracking.trackPageView();", signedIn, StringComparison.Ordinal);
    }

    [Fact]
    public void Snowplow_values_are_json_escaped()
    {
        var snippet = Snowplow(o =>
        {
            o.AppId = Hostile;
            o.TrackerName = "a\"b'c";
            o.Settings["label"] = "</script>";
        });

        var code = snippet.GetScripts(Context(Hostile + "\"")).ToList()[1].Code!;

        AssertNoRawMarkup(code);
        Assert.Contains("\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)", code, StringComparison.Ordinal);
        Assert.Equal(Hostile, Scripts.Argument(code, "newTracker", 2)!["appId"]!.GetValue<string>());
        Assert.Equal("</script>", Scripts.Argument(code, "newTracker", 2)!["label"]!.GetValue<string>());
        Assert.Equal("a\"b'c", Scripts.Argument(code, "newTracker", 0)!.GetValue<string>());
        Assert.Equal(Hostile + "\"", Scripts.Argument(code, "setUserId", 0)!.GetValue<string>());
    }

    /// <summary>
    /// Settings that .NET reads as a number but JSON does not (leading zeros, a sign, a bare dot,
    /// NaN/Infinity) must still give valid JSON, not throw while the page renders.
    /// </summary>
    [Theory]
    [InlineData("007")]
    [InlineData("+1")]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Snowplow_settings_that_are_not_json_numbers_still_render(string value)
    {
        var snippet = Snowplow(o => o.Settings["label"] = value);

        var code = snippet.GetScripts(Context()).ToList()[1].Code!;

        var label = Scripts.Argument(code, "newTracker", 2)!["label"];
        Assert.NotNull(label);
    }

    // ---- Amplitude ----

    private static AmplitudeSnippet Amplitude(Action<AmplitudeProfileOptions>? configure = null) => new(Options(p =>
    {
        p.Amplitude.ScriptUrl = "/js/amplitude.js";
        p.Amplitude.ApiKey = ProviderTestSupport.ApiKey;
        configure?.Invoke(p.Amplitude);
    }));

    [Theory]
    [InlineData(null, ProviderTestSupport.ApiKey)]
    [InlineData("/js/amplitude.js", null)]
    [InlineData(null, null)]
    public void Amplitude_renders_nothing_without_script_and_api_key(string? scriptUrl, string? apiKey)
    {
        var snippet = new AmplitudeSnippet(Options(p =>
        {
            p.Amplitude.ScriptUrl = scriptUrl;
            p.Amplitude.ApiKey = apiKey;
        }));

        Assert.Empty(snippet.GetScripts(Context(UserId, new ProviderIds(null, "dev-1", null))));
    }

    [Fact]
    public void Amplitude_browser_sdk_inits_with_key_no_user_and_an_empty_config()
    {
        var scripts = Amplitude(o => o.Integrity = "sha384-AMP").GetScripts(Context()).ToList();

        Assert.Equal(2, scripts.Count);
        Assert.Equal(new TrackingScript { Src = "/js/amplitude.js", Integrity = "sha384-AMP", Async = false }, scripts[0]);
        Assert.Equal($"amplitude.init(\"{ProviderTestSupport.ApiKey}\",undefined,{{}});", scripts[1].Code);
        Assert.Equal("amplitude", Amplitude().Name);
        Assert.Equal("analytics", Amplitude().ConsentKey);
    }

    [Fact]
    public void Amplitude_browser_sdk_gets_the_device_id_user_server_url_and_settings()
    {
        var snippet = Amplitude(o =>
        {
            o.ServerUrl = "https://amp.shop.example/2/httpapi";
            o.Settings["fetchRemoteConfig"] = "false";
            o.Settings["flushQueueSize"] = "30";
            o.Settings["logLevel"] = "Warn";
        });

        var code = snippet.GetScripts(Context(UserId, new ProviderIds("sp-1", "dev-1", "1.2"))).ToList()[1].Code!;

        Assert.StartsWith("amplitude.init(", code, StringComparison.Ordinal);
        Assert.Equal(ProviderTestSupport.ApiKey, Scripts.Argument(code, "amplitude.init", 0)!.GetValue<string>());
        Assert.Equal(UserId, Scripts.Argument(code, "amplitude.init", 1)!.GetValue<string>());
        var expected = new JsonObject
        {
            ["deviceId"] = "dev-1",
            ["serverUrl"] = "https://amp.shop.example/2/httpapi",
            ["fetchRemoteConfig"] = false,
            ["flushQueueSize"] = 30,
            ["logLevel"] = "Warn",
        };
        var config = Scripts.Argument(code, "amplitude.init", 2);
        Assert.True(JsonNode.DeepEquals(expected, config), config!.ToJsonString());
    }

    [Fact]
    public void Amplitude_has_no_device_id_when_the_ids_have_none()
    {
        var code = Amplitude().GetScripts(Context(UserId, new ProviderIds("sp-1", null, "1.2"))).ToList()[1].Code!;

        Assert.DoesNotContain("deviceId", code, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(new JsonObject(), Scripts.Argument(code, "amplitude.init", 2)), code);
    }

    [Fact]
    public void Amplitude_js_uses_get_instance_null_user_and_api_endpoint()
    {
        var snippet = Amplitude(o =>
        {
            o.Sdk = AmplitudeSdk.AmplitudeJs;
            o.Settings["includeUtm"] = "true";
        });

        var anonymous = snippet.GetScripts(Context(ids: new ProviderIds(null, "dev-1", null))).ToList()[1].Code!;
        var signedIn = snippet.GetScripts(Context(UserId)).ToList()[1].Code!;

        Assert.Equal(
            $"amplitude.getInstance().init(\"{ProviderTestSupport.ApiKey}\",null,{{\"deviceId\":\"dev-1\",\"includeUtm\":true}});amplitude.getInstance().logEvent('Page Viewed');"
            + "document.addEventListener('firstparty:navigate',function(){if(window.firstParty.isGranted(\"analytics\")){amplitude.getInstance().logEvent('Page Viewed');}});",
            anonymous);
        Assert.Equal(UserId, Scripts.Argument(signedIn, "amplitude.getInstance().init", 1)!.GetValue<string>());
        Assert.DoesNotContain("amplitude.init(", signedIn, StringComparison.Ordinal);
    }

    /// <summary>
    /// amplitude-js 8 sends to <c>protocol + '://' + apiEndpoint</c> (protocol from forceHttps or the
    /// page), so its apiEndpoint is a host and path without a scheme; a local path gets this host.
    /// </summary>
    [Theory]
    [InlineData("https://amp.shop.example/collect", null, "amp.shop.example/collect", true)]
    [InlineData("http://localhost:9000/collect", null, "localhost:9000/collect", false)]
    [InlineData("/amp", null, "shop.example/amp", true)]
    [InlineData("/amp", "/app", "shop.example/app/amp", true)]
    public void Amplitude_js_gets_the_server_url_as_a_scheme_less_api_endpoint(string serverUrl, string? pathBase, string endpoint, bool forceHttps)
    {
        var code = Amplitude(o =>
        {
            o.Sdk = AmplitudeSdk.AmplitudeJs;
            o.ServerUrl = serverUrl;
        }).GetScripts(Context(pathBase: pathBase)).ToList()[1].Code!;

        var config = Scripts.Argument(code, "amplitude.getInstance().init", 2)!.AsObject();
        Assert.Equal(endpoint, config["apiEndpoint"]!.GetValue<string>());
        Assert.Equal(forceHttps, config["forceHttps"]!.GetValue<bool>());
        Assert.False(config.ContainsKey("serverUrl"));
    }

    [Theory]
    [InlineData("https://amp.shop.example/2/httpapi")]
    [InlineData("/amp")]
    public void Amplitude_browser_sdk_gets_the_server_url_verbatim(string serverUrl)
    {
        var code = Amplitude(o => o.ServerUrl = serverUrl).GetScripts(Context(pathBase: "/app")).ToList()[1].Code!;

        var config = Scripts.Argument(code, "amplitude.init", 2)!.AsObject();
        Assert.Equal(serverUrl, config["serverUrl"]!.GetValue<string>());
        Assert.False(config.ContainsKey("apiEndpoint"));
        Assert.False(config.ContainsKey("forceHttps"));
    }

    [Fact]
    public void An_empty_setting_is_left_out()
    {
        var code = Amplitude(o =>
        {
            o.Settings["logLevel"] = string.Empty;
            o.Settings["flushQueueSize"] = "30";
        }).GetScripts(Context()).ToList()[1].Code!;

        var config = Scripts.Argument(code, "amplitude.init", 2)!.AsObject();
        Assert.False(config.ContainsKey("logLevel"));
        Assert.Equal(30, config["flushQueueSize"]!.GetValue<int>());
    }

    [Fact]
    public void Amplitude_values_are_json_escaped()
    {
        var code = Amplitude(o => o.Settings["label"] = Hostile).GetScripts(Context(Hostile, new ProviderIds(null, Hostile, null))).ToList()[1].Code!;

        AssertNoRawMarkup(code);
        Assert.Equal(Hostile, Scripts.Argument(code, "amplitude.init", 1)!.GetValue<string>());
        Assert.Equal(Hostile, Scripts.Argument(code, "amplitude.init", 2)!["deviceId"]!.GetValue<string>());
    }

    // ---- Google Analytics 4 ----

    private static GoogleAnalyticsSnippet Ga4(ProviderMirrors? mirrors = null, Action<GoogleAnalyticsProfileOptions>? configure = null) => new(
        Options(p =>
        {
            p.GoogleAnalytics.MeasurementId = "G-ABC123";
            configure?.Invoke(p.GoogleAnalytics);
        }),
        mirrors ?? Mirrors());

    [Fact]
    public void Ga4_renders_nothing_without_a_measurement_id()
    {
        var snippet = new GoogleAnalyticsSnippet(Options(_ => { }), Mirrors(new GoogleAnalyticsProfile(new GoogleAnalyticsProfileOptions())));

        Assert.Empty(snippet.GetScripts(Context(UserId, new ProviderIds(null, null, "1.2"))));
    }

    [Fact]
    public void Ga4_loads_gtag_with_the_id_then_configures_it()
    {
        var scripts = Ga4().GetScripts(Context()).ToList();

        Assert.Equal(2, scripts.Count);
        Assert.Equal(new TrackingScript { Src = "https://www.googletagmanager.com/gtag/js?id=G-ABC123", Async = true }, scripts[0]);
        Assert.Equal(
            "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config',\"G-ABC123\",{});",
            scripts[1].Code);
        Assert.Equal("ga4", Ga4().Name);
        Assert.Equal("analytics", Ga4().ConsentKey);
    }

    [Fact]
    public void Ga4_escapes_the_measurement_id_in_the_script_url()
    {
        var scripts = Ga4(configure: o =>
        {
            o.MeasurementId = "G-A&B=\"C";
            o.ScriptUrl = "/gtag/js";
        }).GetScripts(Context()).ToList();

        Assert.Equal("/gtag/js?id=G-A%26B%3D%22C", scripts[0].Src);
        AssertNoRawMarkup(scripts[1].Code!);
        Assert.Contains("gtag('config',\"G-A\\u0026B=\\u0022C\",", scripts[1].Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Ga4_passes_the_client_id_and_user_id_when_known()
    {
        var code = Ga4().GetScripts(Context(UserId, new ProviderIds(null, null, "123456.1700000000"))).ToList()[1].Code!;

        Assert.EndsWith("gtag('config',\"G-ABC123\",{\"client_id\":\"123456.1700000000\",\"user_id\":\"user-42\"});", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Ga4_has_no_client_id_or_user_id_when_unknown()
    {
        var code = Ga4().GetScripts(Context(ids: new ProviderIds("sp", "amp", null))).ToList()[1].Code!;

        Assert.DoesNotContain("client_id", code, StringComparison.Ordinal);
        Assert.DoesNotContain("user_id", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Ga4_stops_gtag_rewriting_ga_only_when_the_profile_writes_it()
    {
        var withProfile = Ga4(Mirrors(new GoogleAnalyticsProfile(new GoogleAnalyticsProfileOptions()))).GetScripts(Context()).ToList()[1].Code!;
        var withOtherProfiles = Ga4(Mirrors(new SnowplowProfile(new SnowplowProfileOptions()), new AmplitudeProfile(new AmplitudeProfileOptions { ApiKey = ProviderTestSupport.ApiKey })))
            .GetScripts(Context()).ToList()[1].Code!;
        var withoutProfiles = Ga4(Mirrors()).GetScripts(Context()).ToList()[1].Code!;

        Assert.EndsWith("gtag('config',\"G-ABC123\",{\"cookie_update\":false});", withProfile, StringComparison.Ordinal);
        Assert.DoesNotContain("cookie_update", withOtherProfiles, StringComparison.Ordinal);
        Assert.DoesNotContain("cookie_update", withoutProfiles, StringComparison.Ordinal);
    }

    [Fact]
    public void Ga4_values_are_json_escaped()
    {
        var code = Ga4().GetScripts(Context(Hostile, new ProviderIds(null, null, Hostile))).ToList()[1].Code!;

        AssertNoRawMarkup(code);
        Assert.Contains("\"user_id\":\"\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\"", code, StringComparison.Ordinal);
    }

    // ---- Matomo ----

    private static MatomoSnippet Matomo(Action<MatomoSnippetOptions>? configure = null) => new(Options(p =>
    {
        p.Matomo.Url = "https://stats.shop.example/";
        p.Matomo.SiteId = "3";
        configure?.Invoke(p.Matomo);
    }));

    [Theory]
    [InlineData(null, "3")]
    [InlineData("https://stats.shop.example/", null)]
    [InlineData(null, null)]
    public void Matomo_renders_nothing_without_url_and_site_id(string? url, string? siteId)
    {
        var snippet = new MatomoSnippet(Options(p =>
        {
            p.Matomo.Url = url;
            p.Matomo.SiteId = siteId;
        }));

        Assert.Empty(snippet.GetScripts(Context(UserId)));
    }

    [Fact]
    public void Matomo_requires_and_gives_cookie_consent_before_tracking_then_loads_matomo_js()
    {
        var scripts = Matomo().GetScripts(Context()).ToList();

        Assert.Equal(2, scripts.Count);
        var code = scripts[0].Code!;
        Assert.Null(scripts[0].Src);
        Assert.Equal(new TrackingScript { Src = "https://stats.shop.example/matomo.js", Async = true }, scripts[1]);
        var require = code.IndexOf("_paq.push(['requireCookieConsent']);", StringComparison.Ordinal);
        var given = code.IndexOf("_paq.push(['setCookieConsentGiven']);", StringComparison.Ordinal);
        var pageView = code.IndexOf("_paq.push(['trackPageView']);", StringComparison.Ordinal);
        Assert.True(require >= 0 && given > require && pageView > given, code);
        Assert.Contains("_paq.push(['setTrackerUrl',\"https://stats.shop.example/matomo.php\"]);", code, StringComparison.Ordinal);
        Assert.Contains("_paq.push(['setSiteId',\"3\"]);", code, StringComparison.Ordinal);
        Assert.True(code.IndexOf("setTrackerUrl", StringComparison.Ordinal) < pageView);
        Assert.True(code.IndexOf("setSiteId", StringComparison.Ordinal) < pageView);
        Assert.StartsWith("var _paq=window._paq=window._paq||[];", code, StringComparison.Ordinal);
        Assert.DoesNotContain("setUserId", code, StringComparison.Ordinal);
        Assert.Equal("matomo", Matomo().Name);
        Assert.Equal("marketing", Matomo(o => o.Category = "marketing").ConsentKey);
    }

    [Fact]
    public void Matomo_sets_the_user_id_before_the_page_view_only_with_one()
    {
        var code = Matomo().GetScripts(Context(UserId)).ToList()[0].Code!;

        var identify = code.IndexOf("_paq.push(['setUserId',\"user-42\"]);", StringComparison.Ordinal);
        Assert.True(identify >= 0, code);
        Assert.True(identify < code.IndexOf("trackPageView", StringComparison.Ordinal));
    }

    [Fact]
    public void Matomo_values_are_json_escaped()
    {
        var code = Matomo(o => o.SiteId = Hostile).GetScripts(Context(Hostile)).ToList()[0].Code!;

        AssertNoRawMarkup(code);
        Assert.Contains("_paq.push(['setSiteId',\"\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\"]);", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Matomo_takes_a_visitor_id_derived_from_the_server_visitor_before_the_page_view()
    {
        var code = Matomo().GetScripts(Context(visitor: new FakeVisitor())).ToList()[0].Code!;

        var expected = MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId);
        var set = code.IndexOf($"_paq.push(['setVisitorId',\"{expected}\"]);", StringComparison.Ordinal);
        Assert.True(set >= 0, code);
        Assert.True(set < code.IndexOf("trackPageView", StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{16}$", expected);
    }

    [Fact]
    public void The_matomo_visitor_id_is_the_start_of_a_sha256_of_the_visitor_id()
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("matomo:" + ProviderTestSupport.VisitorId));

        Assert.Equal(Convert.ToHexStringLower(digest)[..16], MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId));
        Assert.Equal(MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId), MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId));
        Assert.NotEqual(MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId), MatomoSnippet.VisitorId(ProviderTestSupport.OtherVisitorId));
        Assert.NotEqual(ProviderTestSupport.VisitorId.Replace("-", string.Empty, StringComparison.Ordinal)[..16], MatomoSnippet.VisitorId(ProviderTestSupport.VisitorId));
    }

    [Fact]
    public void Matomo_sets_no_visitor_id_without_consent_now_or_without_a_visitor()
    {
        var inert = Matomo().GetScripts(Context(granted: false, visitor: new FakeVisitor())).ToList()[0].Code!;
        var noVisitor = Matomo().GetScripts(Context()).ToList()[0].Code!;

        Assert.DoesNotContain("setVisitorId", inert, StringComparison.Ordinal);
        Assert.DoesNotContain("setVisitorId", noVisitor, StringComparison.Ordinal);
    }

    // ---- Clarity ----

    private static ClaritySnippet Clarity(Action<ClaritySnippetOptions>? configure = null) => new(Options(p =>
    {
        p.Clarity.ProjectId = "abc123xyz";
        configure?.Invoke(p.Clarity);
    }));

    [Fact]
    public void Clarity_renders_nothing_without_a_project_id()
    {
        Assert.Empty(new ClaritySnippet(Options(_ => { })).GetScripts(Context(UserId)));
    }

    [Fact]
    public void Clarity_queues_consent_v2_then_loads_the_tag()
    {
        var scripts = Clarity().GetScripts(Context(consented: "analytics")).ToList();

        Assert.Equal(2, scripts.Count);
        Assert.StartsWith(
            "window.clarity=window.clarity||function(){(window.clarity.q=window.clarity.q||[]).push(arguments);};clarity('consentv2',{\"ad_Storage\":\"denied\",\"analytics_Storage\":\"granted\"});",
            scripts[0].Code,
            StringComparison.Ordinal);
        Assert.DoesNotContain("clarity('consent')", scripts[0].Code, StringComparison.Ordinal);
        Assert.Equal(new TrackingScript { Src = "https://www.clarity.ms/tag/abc123xyz", Async = true }, scripts[1]);
        Assert.Equal("clarity", Clarity().Name);
        Assert.Equal("analytics", Clarity().ConsentKey);
    }

    [Theory]
    [InlineData(new[] { "analytics", "marketing" }, "granted", "granted")]
    [InlineData(new[] { "marketing" }, "granted", "denied")]
    [InlineData(new string[0], "denied", "denied")]
    public void Clarity_storage_signals_follow_the_categories(string[] consented, string ads, string analytics)
    {
        var code = Clarity().GetScripts(Context(consented: consented)).ToList()[0].Code!;

        Assert.Contains($"clarity('consentv2',{{\"ad_Storage\":\"{ads}\",\"analytics_Storage\":\"{analytics}\"}});", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Clarity_takes_the_categories_from_the_consent_mode_signal_map()
    {
        var options = new FirstPartyOptions();
        options.Providers.Clarity.ProjectId = "abc123xyz";
        options.ConsentMode.Signals["ad_storage"] = "advertising";
        options.ConsentMode.Signals["analytics_storage"] = "statistics";
        var snippet = new ClaritySnippet(Microsoft.Extensions.Options.Options.Create(options));

        var code = snippet.GetScripts(Context(consented: ["advertising", "statistics"])).ToList()[0].Code!;

        Assert.Contains("clarity('consentv2',{\"ad_Storage\":\"granted\",\"analytics_Storage\":\"granted\"});", code, StringComparison.Ordinal);
        Assert.Contains("({\"ad_Storage\":\"advertising\",\"analytics_Storage\":\"statistics\"});", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Clarity_passes_each_later_choice_on_through_consent_v2()
    {
        var code = Clarity().GetScripts(Context()).ToList()[0].Code!;

        Assert.Contains("document.addEventListener('firstparty:change',", code, StringComparison.Ordinal);
        Assert.Contains("clarity('consentv2',u)", code, StringComparison.Ordinal);
        Assert.Contains("({\"ad_Storage\":\"marketing\",\"analytics_Storage\":\"analytics\"});", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Clarity_identifies_only_with_a_user_id_after_consent()
    {
        var code = Clarity().GetScripts(Context(UserId)).ToList()[0].Code!;
        var anonymous = Clarity().GetScripts(Context()).ToList()[0].Code!;

        Assert.EndsWith("clarity('identify',\"user-42\");", code, StringComparison.Ordinal);
        Assert.True(code.IndexOf("clarity('consentv2',{", StringComparison.Ordinal) < code.IndexOf("clarity('identify'", StringComparison.Ordinal));
        Assert.DoesNotContain("identify", anonymous, StringComparison.Ordinal);
    }

    [Fact]
    public void Clarity_escapes_the_project_id_and_the_user_id()
    {
        var scripts = Clarity(o =>
        {
            o.ProjectId = "a/b?c";
            o.ScriptUrl = "/clarity/";
        }).GetScripts(Context(Hostile)).ToList();

        Assert.Equal("/clarity/a%2Fb%3Fc", scripts[1].Src);
        AssertNoRawMarkup(scripts[0].Code!);
    }

    // ---- Plausible ----

    [Fact]
    public void Plausible_renders_nothing_without_a_domain()
    {
        Assert.Empty(new PlausibleSnippet(Options(_ => { })).GetScripts(Context(UserId)));
    }

    [Fact]
    public void Plausible_is_one_deferred_external_script_with_its_domain()
    {
        var snippet = new PlausibleSnippet(Options(p => p.Plausible.Domain = "shop.example"));

        var script = Assert.Single(snippet.GetScripts(Context(UserId)));

        Assert.Equal("https://plausible.io/js/script.js", script.Src);
        Assert.Null(script.Code);
        Assert.False(script.Async);
        Assert.Null(script.Integrity);
        Assert.Equal(
            [KeyValuePair.Create("data-domain", "shop.example"), KeyValuePair.Create("defer", string.Empty)],
            script.Attributes!.OrderBy(a => a.Key, StringComparer.Ordinal));
        Assert.Equal("plausible", snippet.Name);
    }

    [Fact]
    public void Plausible_passes_the_integrity_and_script_url_through()
    {
        var snippet = new PlausibleSnippet(Options(p =>
        {
            p.Plausible.Domain = "shop.example";
            p.Plausible.ScriptUrl = "/js/plausible.js";
            p.Plausible.Integrity = "sha384-PL";
            p.Plausible.Category = "marketing";
        }));

        var script = Assert.Single(snippet.GetScripts(Context()));

        Assert.Equal("/js/plausible.js", script.Src);
        Assert.Equal("sha384-PL", script.Integrity);
        Assert.Equal("marketing", snippet.ConsentKey);
    }

    [Fact]
    public void An_empty_integrity_is_no_integrity()
    {
        var snippet = new PlausibleSnippet(Options(p =>
        {
            p.Plausible.Domain = "shop.example";
            p.Plausible.Integrity = string.Empty;
        }));

        Assert.Null(Assert.Single(snippet.GetScripts(Context())).Integrity);
    }

    // ---- all ----

    [Fact]
    public void Snippets_do_not_depend_on_the_granted_flag()
    {
        // Consent is the tag helper's job: the same options give the same scripts either way.
        var options = Options(p =>
        {
            p.Plausible.Domain = "shop.example";
            p.Clarity.ProjectId = "abc123";
        });
        ITrackingSnippet[] snippets = [new PlausibleSnippet(options), new ClaritySnippet(options)];

        foreach (var snippet in snippets)
        {
            Assert.Equal(snippet.GetScripts(Context(granted: true)), snippet.GetScripts(Context(granted: false)), ScriptComparer.Instance);
        }
    }

    private sealed class ScriptComparer : IEqualityComparer<TrackingScript>
    {
        public static readonly ScriptComparer Instance = new();

        public bool Equals(TrackingScript? x, TrackingScript? y)
            => x is not null && y is not null && x.Src == y.Src && x.Code == y.Code && x.Async == y.Async && x.Integrity == y.Integrity
                && (x.Attributes ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal)
                    .SequenceEqual((y.Attributes ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal));

        public int GetHashCode(TrackingScript obj) => HashCode.Combine(obj.Src, obj.Code);
    }
}

/// <summary>A consent state that grants exactly the given categories.</summary>
internal sealed class GrantedCategories(params string[] granted) : IConsentFeature
{
    public bool IsDecided => true;

    public bool IsStale => false;

    public string? ConsentId => null;

    public int Revision => 1;

    public ConsentRegime Regime => ConsentRegime.OptIn;

    public string? Region => null;

    public bool GlobalPrivacyControl => false;

    public DateTimeOffset? DecidedAt => null;

    public DateTimeOffset? ExpiresAt => null;

    public string? Source => null;

    public IReadOnlyDictionary<string, bool> Categories => granted.ToDictionary(static c => c, static _ => true, StringComparer.Ordinal);

    public bool IsGranted(string category) => granted.Contains(category, StringComparer.Ordinal);
}
