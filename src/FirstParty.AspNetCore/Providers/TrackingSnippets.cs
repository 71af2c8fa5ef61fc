using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// The built-in snippets. Each renders nothing until its required options are set. Values reach the
/// inline code only as JSON written by System.Text.Json, whose default encoder escapes <c>&lt;</c>,
/// <c>&gt;</c>, <c>&amp;</c> and quotes, so no option or id can close the script element.
/// </summary>
internal static class TrackingSnippets
{
    public static string Json(string? value) => JsonSerializer.Serialize(value);

    public static string Json(JsonObject value) => value.ToJsonString();

    public static TrackingScript External(string src, string? integrity = null, bool async = true, IReadOnlyDictionary<string, string>? attributes = null)
        => new() { Src = src, Integrity = string.IsNullOrEmpty(integrity) ? null : integrity, Async = async, Attributes = attributes };

    public static TrackingScript Inline(string code) => new() { Code = code };

    /// <summary>Adds configured settings: JSON literals as such, empty values not at all, anything else as a string.</summary>
    public static void Merge(JsonObject config, IDictionary<string, string> settings)
    {
        foreach (var (name, value) in settings)
        {
            if (string.IsNullOrEmpty(value))
            {
                // An empty value (for example an environment override) removes the setting.
                config.Remove(name);
                continue;
            }

            config[name] = value == "null" ? null : JsonLiteral(value) ?? JsonValue.Create(value);
        }
    }

    /// <summary>A setting that is exactly a JSON number, true, false or null; anything else (<c>007</c>, <c>NaN</c>, text) is not.</summary>
    private static JsonValue? JsonLiteral(string value)
    {
        try
        {
            return JsonNode.Parse(value) is JsonValue literal && literal.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                ? literal
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The same-origin collector path of a vendor (<c>/_fp/c/snowplow</c>) when the collector is on
    /// and forwards that vendor, else null: the snippet then keeps the SDK's configured endpoint.
    /// </summary>
    public static string? CollectorPath(FirstPartyOptions options, CollectorVendorOptions vendor, string name)
        => options.Collector.Enabled && vendor.Upstream is not null ? options.Collector.PathPrefix + "/" + name : null;

    /// <summary>
    /// Runs <paramref name="code"/> again on every later page shown in place (firstparty.js raises
    /// <c>firstparty:navigate</c> after Blazor's enhanced navigation), while <paramref name="consentKey"/>
    /// is still granted: a page view SDK would otherwise count only the first page of the visit.
    /// </summary>
    public static string OnNavigate(string consentKey, string code)
        => $"document.addEventListener('firstparty:navigate',function(){{if(window.firstParty.isGranted({Json(consentKey)})){{{code}}}}});";

    /// <summary>A path on this site made absolute (SDKs such as Snowplow's need a full collector URL).</summary>
    public static string Absolute(string url, Microsoft.AspNetCore.Http.HttpRequest request)
        => url.StartsWith('/') ? $"{request.Scheme}://{request.Host}{request.PathBase}{url}" : url;
}

/// <summary>
/// Snowplow's browser tracker (UMD build): a tracker whose cookie settings match the profile, then a
/// page view. The tracker is kept at <c>window.firstPartyTrackers.snowplow</c> (for
/// <c>getDomainUserId()</c> and the like), since the UMD API has no way to look it up.
/// </summary>
internal sealed class SnowplowSnippet(IOptions<FirstPartyOptions> options) : ITrackingSnippet
{
    private string? _config;

    public string Name => "snowplow";

    private static JsonObject Config(SnowplowProfileOptions o, string? sameOrigin)
    {
        var config = new JsonObject
        {
            ["cookieName"] = o.CookieNamePrefix,
            ["cookieSecure"] = o.Secure,
            ["cookieSameSite"] = o.SameSite,
            ["cookieLifetime"] = (long)o.Lifetime.TotalSeconds,
            ["sessionCookieTimeout"] = (long)o.SessionTimeout.TotalSeconds,
        };
        if (o.AppId is not null)
        {
            config["appId"] = o.AppId;
        }

        if (o.CookieDomain is not null)
        {
            config["cookieDomain"] = o.CookieDomain;
        }

        if (sameOrigin is not null)
        {
            config["cookieExtensionService"] = sameOrigin + "/cookie-extension";
        }

        TrackingSnippets.Merge(config, o.Settings);
        return config;
    }

    public string ConsentKey => options.Value.Providers.Snowplow.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Snowplow;
        var sameOrigin = TrackingSnippets.CollectorPath(options.Value, options.Value.Collector.Snowplow, "snowplow");
        if (o.ScriptUrl is null || (o.CollectorUrl ?? sameOrigin) is not { } collectorUrl)
        {
            yield break;
        }

        // The settings come from options only: serialized once. With the collector on, the tracker
        // sends to it and calls its cookie extension service (a path: the call must stay same-origin
        // to set the sp cookie).
        var config = _config ??= TrackingSnippets.Json(Config(o, sameOrigin));
        var collector = TrackingSnippets.Absolute(sameOrigin ?? collectorUrl, context.HttpContext.Request);
        yield return TrackingSnippets.External(o.ScriptUrl, o.Integrity, async: false);
        var identify = context.UserId is null ? string.Empty : $"snowplowBrowserTracking.setUserId({TrackingSnippets.Json(context.UserId)});";
        yield return TrackingSnippets.Inline(
            $"(window.firstPartyTrackers=window.firstPartyTrackers||{{}}).snowplow=snowplowBrowserTracking.newTracker({TrackingSnippets.Json(o.TrackerName)},{TrackingSnippets.Json(collector)},{config});{identify}snowplowBrowserTracking.trackPageView();"
            // The tracker takes the address it last tracked as the referrer of the next page view.
            + TrackingSnippets.OnNavigate(ConsentKey, "snowplowBrowserTracking.trackPageView();"));
    }
}

/// <summary>Amplitude (analytics-browser 2 or amplitude-js 8), with the server's device id when known.</summary>
internal sealed class AmplitudeSnippet(IOptions<FirstPartyOptions> options) : ITrackingSnippet
{
    public string Name => "amplitude";

    public string ConsentKey => options.Value.Providers.Amplitude.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Amplitude;
        if (o.ScriptUrl is null || o.ApiKey is null)
        {
            yield break;
        }

        var config = new JsonObject();

        // Known only when consent is already given; otherwise the cookie written with the consent answer carries it.
        if (context.Ids.AmplitudeDeviceId is { } deviceId)
        {
            config["deviceId"] = deviceId;
        }

        // The collector takes analytics-browser's HTTP V2 uploads; amplitude-js 8 speaks an older API
        // and keeps its own endpoint.
        var sameOrigin = o.Sdk == AmplitudeSdk.AnalyticsBrowser ? TrackingSnippets.CollectorPath(options.Value, options.Value.Collector.Amplitude, "amplitude") : null;
        if (sameOrigin is not null)
        {
            config["serverUrl"] = context.HttpContext.Request.PathBase + sameOrigin + "/2/httpapi";
        }
        else if (o.ServerUrl is not null && o.Sdk == AmplitudeSdk.AmplitudeJs)
        {
            // amplitude-js takes a host and path, and the scheme from forceHttps.
            var request = context.HttpContext.Request;
            var local = o.ServerUrl.StartsWith('/');
            var endpoint = local ? request.Host + request.PathBase + o.ServerUrl : o.ServerUrl;
            config["apiEndpoint"] = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint[(endpoint.IndexOf("://", StringComparison.Ordinal) + 3)..] : endpoint;
            config["forceHttps"] = local ? request.IsHttps : !o.ServerUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        }
        else if (o.ServerUrl is not null)
        {
            config["serverUrl"] = o.ServerUrl;
        }

        TrackingSnippets.Merge(config, o.Settings);

        yield return TrackingSnippets.External(o.ScriptUrl, o.Integrity, async: false);
        var key = TrackingSnippets.Json(o.ApiKey);
        var user = context.UserId is null ? "undefined" : TrackingSnippets.Json(context.UserId);
        yield return TrackingSnippets.Inline(o.Sdk == AmplitudeSdk.AmplitudeJs
            ? $"amplitude.getInstance().init({key},{(context.UserId is null ? "null" : user)},{TrackingSnippets.Json(config)});amplitude.getInstance().logEvent('Page Viewed');" + TrackingSnippets.OnNavigate(ConsentKey, "amplitude.getInstance().logEvent('Page Viewed');")
            : $"amplitude.init({key},{user},{TrackingSnippets.Json(config)});");
    }
}

/// <summary>Google Analytics 4 (gtag.js): the server's client id and <c>cookie_update: false</c> when the profile writes <c>_ga</c>.</summary>
internal sealed class GoogleAnalyticsSnippet(IOptions<FirstPartyOptions> options, ProviderMirrors mirrors) : ITrackingSnippet
{
    // Whether the server keeps _ga is fixed at startup.
    private readonly bool _serverKeepsCookie = mirrors.Profiles.Any(p => p is GoogleAnalyticsProfile);

    public string Name => "ga4";

    public string ConsentKey => options.Value.Providers.GoogleAnalytics.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.GoogleAnalytics;
        if (o.MeasurementId is null)
        {
            yield break;
        }

        var config = new JsonObject();
        if (_serverKeepsCookie)
        {
            // The server keeps _ga; gtag must not rewrite it from script.
            config["cookie_update"] = false;
        }

        if (context.Ids.GoogleAnalyticsClientId is { } clientId)
        {
            config["client_id"] = clientId;
        }

        if (context.UserId is not null)
        {
            config["user_id"] = context.UserId;
        }

        if (TrackingSnippets.CollectorPath(options.Value, options.Value.Collector.GoogleAnalytics, "ga4") is { } sameOrigin)
        {
            // gtag appends /g/collect; it needs an absolute URL.
            config["transport_url"] = TrackingSnippets.Absolute(sameOrigin, context.HttpContext.Request);
        }

        yield return TrackingSnippets.External(o.ScriptUrl + "?id=" + Uri.EscapeDataString(o.MeasurementId));
        yield return TrackingSnippets.Inline(
            $"window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config',{TrackingSnippets.Json(o.MeasurementId)},{TrackingSnippets.Json(config)});");
    }
}

/// <summary>
/// Matomo with its cookie-consent API: cookies only once consent is given, which this snippet's gate
/// guarantees. With consent, the tracker takes a visitor id derived from the server's visitor id.
/// </summary>
internal sealed class MatomoSnippet(IOptions<FirstPartyOptions> options) : ITrackingSnippet
{
    public string Name => "matomo";

    public string ConsentKey => options.Value.Providers.Matomo.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Matomo;
        if (o.Url is null || o.SiteId is null)
        {
            yield break;
        }

        var identify = context.UserId is null ? string.Empty : $"_paq.push(['setUserId',{TrackingSnippets.Json(context.UserId)}]);";

        // Only with consent now: an inert copy activated later on this page lets Matomo pick its own id.
        var visitor = context.Granted && context.HttpContext.GetVisitor() is { } known
            ? $"_paq.push(['setVisitorId',\"{VisitorId(known.VisitorId)}\"]);"
            : string.Empty;
        yield return TrackingSnippets.Inline(
            "var _paq=window._paq=window._paq||[];_paq.push(['requireCookieConsent']);_paq.push(['setCookieConsentGiven']);"
            + identify
            + visitor
            + $"_paq.push(['setTrackerUrl',{TrackingSnippets.Json(o.Url + "matomo.php")}]);_paq.push(['setSiteId',{TrackingSnippets.Json(o.SiteId)}]);_paq.push(['trackPageView']);_paq.push(['enableLinkTracking']);");
        yield return TrackingSnippets.External(o.Url + "matomo.js");
    }

    /// <summary>
    /// Matomo's visitor id (16 hex digits, the form <c>setVisitorId</c> accepts): the first 64 bits of
    /// SHA-256 over <c>matomo:</c> and the visitor id. A hash rather than a prefix of the UUID gives
    /// 64 random bits (a version-4 UUID's first 16 digits hold 60) and cannot be matched to the
    /// visitor id or to the GA4 client id derived from it; the same visitor always gets the same id.
    /// </summary>
    internal static string VisitorId(string visitorId)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("matomo:" + visitorId), digest);
        return Convert.ToHexStringLower(digest[..8]);
    }
}

/// <summary>
/// Microsoft Clarity with its consent API v2: the tag loads, then <c>clarity('consentv2', …)</c>
/// passes <c>ad_Storage</c> and <c>analytics_Storage</c>, each granted when the category that Consent
/// Mode's <c>ad_storage</c> and <c>analytics_storage</c> signals map to is granted, and again after
/// every choice made on the page.
/// </summary>
internal sealed class ClaritySnippet(IOptions<FirstPartyOptions> options) : ITrackingSnippet
{
    private (string Ads, string Analytics, string Listener)? _signals;

    public string Name => "clarity";

    public string ConsentKey => options.Value.Providers.Clarity.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Clarity;
        if (o.ProjectId is null)
        {
            yield break;
        }

        var (ads, analytics, listener) = _signals ??= Signals(options.Value);
        var consent = context.HttpContext.GetConsent();
        var state = $"clarity('consentv2',{{\"ad_Storage\":\"{State(consent, ads)}\",\"analytics_Storage\":\"{State(consent, analytics)}\"}});";
        var identify = context.UserId is null ? string.Empty : $"clarity('identify',{TrackingSnippets.Json(context.UserId)});";
        yield return TrackingSnippets.Inline(
            "window.clarity=window.clarity||function(){(window.clarity.q=window.clarity.q||[]).push(arguments);};" + state + listener + identify);
        yield return TrackingSnippets.External(o.ScriptUrl + Uri.EscapeDataString(o.ProjectId));
    }

    private static string State(IConsentFeature? consent, string key) => consent?.IsGranted(key) == true ? "granted" : "denied";

    /// <summary>The categories behind the two signals, and a listener (built once) that passes new choices on.</summary>
    private static (string Ads, string Analytics, string Listener) Signals(FirstPartyOptions options)
    {
        var signals = options.ConsentMode.Signals;
        var ads = signals.TryGetValue("ad_storage", out var a) && !string.IsNullOrEmpty(a) ? a : "marketing";
        var analytics = signals.TryGetValue("analytics_storage", out var b) && !string.IsNullOrEmpty(b) ? b : options.Providers.Clarity.Category;

        // The enhancement script raises firstparty:change with the new state after every choice.
        var map = new JsonObject { ["ad_Storage"] = ads, ["analytics_Storage"] = analytics };
        var listener = "(function(m){document.addEventListener('firstparty:change',function(e){var s=e.detail,u={},k,c;"
            + "for(k in m){c=m[k];u[k]=((c in s.services)?s.services[c]:s.categories[c])?'granted':'denied'}"
            + "clarity('consentv2',u)})})("
            + TrackingSnippets.Json(map)
            + ");";
        return (ads, analytics, listener);
    }
}

/// <summary>Plausible: one script with <c>data-domain</c>. It sets no cookies, but it still waits for its category.</summary>
internal sealed class PlausibleSnippet(IOptions<FirstPartyOptions> options) : ITrackingSnippet
{
    public string Name => "plausible";

    public string ConsentKey => options.Value.Providers.Plausible.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Plausible;
        if (o.Domain is null)
        {
            yield break;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["data-domain"] = o.Domain, ["defer"] = string.Empty };
        if (TrackingSnippets.CollectorPath(options.Value, options.Value.Collector.Plausible, "plausible") is { } sameOrigin)
        {
            attributes["data-api"] = context.HttpContext.Request.PathBase + sameOrigin + "/api/event";
        }

        yield return TrackingSnippets.External(o.ScriptUrl, o.Integrity, async: false, attributes);
    }
}
