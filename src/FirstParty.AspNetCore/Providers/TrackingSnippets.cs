using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>A path on this site made absolute (SDKs such as Snowplow's need a full collector URL).</summary>
    public static string Absolute(string url, Microsoft.AspNetCore.Http.HttpRequest request)
        => url.StartsWith('/') ? $"{request.Scheme}://{request.Host}{request.PathBase}{url}" : url;
}

/// <summary>
/// Snowplow's browser tracker (UMD build): a tracker whose cookie settings match the profile, then a
/// page view. The tracker is kept at <c>window.firstPartyTrackers.snowplow</c> (for
/// <c>getDomainUserId()</c> and the like), since the UMD API has no way to look it up.
/// </summary>
internal sealed class SnowplowSnippet(IOptions<FirstPartyOptions> options) : ITrackingProvider
{
    private string? _config;

    public string Name => "snowplow";

    private static JsonObject Config(SnowplowProfileOptions o)
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

        TrackingSnippets.Merge(config, o.Settings);
        return config;
    }

    public string ConsentKey => options.Value.Providers.Snowplow.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Snowplow;
        if (o.ScriptUrl is null || o.CollectorUrl is null)
        {
            yield break;
        }

        // The settings come from options only: serialized once.
        var config = _config ??= TrackingSnippets.Json(Config(o));
        var collector = TrackingSnippets.Absolute(o.CollectorUrl, context.HttpContext.Request);
        yield return TrackingSnippets.External(o.ScriptUrl, o.Integrity, async: false);
        var identify = context.UserId is null ? string.Empty : $"snowplowBrowserTracking.setUserId({TrackingSnippets.Json(context.UserId)});";
        yield return TrackingSnippets.Inline(
            $"(window.firstPartyTrackers=window.firstPartyTrackers||{{}}).snowplow=snowplowBrowserTracking.newTracker({TrackingSnippets.Json(o.TrackerName)},{TrackingSnippets.Json(collector)},{config});{identify}snowplowBrowserTracking.trackPageView();");
    }
}

/// <summary>Amplitude (analytics-browser 2 or amplitude-js 8), with the server's device id when known.</summary>
internal sealed class AmplitudeSnippet(IOptions<FirstPartyOptions> options) : ITrackingProvider
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

        if (o.ServerUrl is not null && o.Sdk == AmplitudeSdk.AmplitudeJs)
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
            ? $"amplitude.getInstance().init({key},{(context.UserId is null ? "null" : user)},{TrackingSnippets.Json(config)});amplitude.getInstance().logEvent('Page Viewed');"
            : $"amplitude.init({key},{user},{TrackingSnippets.Json(config)});");
    }
}

/// <summary>Google Analytics 4 (gtag.js): the server's client id and <c>cookie_update: false</c> when the profile writes <c>_ga</c>.</summary>
internal sealed class GoogleAnalyticsSnippet(IOptions<FirstPartyOptions> options, ProviderMirrors mirrors) : ITrackingProvider
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

        yield return TrackingSnippets.External(o.ScriptUrl + "?id=" + Uri.EscapeDataString(o.MeasurementId));
        yield return TrackingSnippets.Inline(
            $"window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config',{TrackingSnippets.Json(o.MeasurementId)},{TrackingSnippets.Json(config)});");
    }
}

/// <summary>Matomo with its cookie-consent API: cookies only once consent is given, which this snippet's gate guarantees.</summary>
internal sealed class MatomoSnippet(IOptions<FirstPartyOptions> options) : ITrackingProvider
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
        yield return TrackingSnippets.Inline(
            "var _paq=window._paq=window._paq||[];_paq.push(['requireCookieConsent']);_paq.push(['setCookieConsentGiven']);"
            + identify
            + $"_paq.push(['setTrackerUrl',{TrackingSnippets.Json(o.Url + "matomo.php")}]);_paq.push(['setSiteId',{TrackingSnippets.Json(o.SiteId)}]);_paq.push(['trackPageView']);_paq.push(['enableLinkTracking']);");
        yield return TrackingSnippets.External(o.Url + "matomo.js");
    }
}

/// <summary>Microsoft Clarity with its consent API: the tag loads, then <c>clarity('consent')</c> allows its cookies.</summary>
internal sealed class ClaritySnippet(IOptions<FirstPartyOptions> options) : ITrackingProvider
{
    public string Name => "clarity";

    public string ConsentKey => options.Value.Providers.Clarity.Category;

    public IEnumerable<TrackingScript> GetScripts(TrackingContext context)
    {
        var o = options.Value.Providers.Clarity;
        if (o.ProjectId is null)
        {
            yield break;
        }

        var identify = context.UserId is null ? string.Empty : $"clarity('identify',{TrackingSnippets.Json(context.UserId)});";
        yield return TrackingSnippets.Inline(
            "window.clarity=window.clarity||function(){(window.clarity.q=window.clarity.q||[]).push(arguments);};clarity('consent');" + identify);
        yield return TrackingSnippets.External(o.ScriptUrl + Uri.EscapeDataString(o.ProjectId));
    }
}

/// <summary>Plausible: one script with <c>data-domain</c>. It sets no cookies, but it still waits for its category.</summary>
internal sealed class PlausibleSnippet(IOptions<FirstPartyOptions> options) : ITrackingProvider
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

        yield return TrackingSnippets.External(
            o.ScriptUrl,
            o.Integrity,
            async: false,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["data-domain"] = o.Domain, ["defer"] = string.Empty });
    }
}
