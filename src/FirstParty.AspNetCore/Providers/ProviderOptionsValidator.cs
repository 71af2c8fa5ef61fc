using FirstParty.AspNetCore.Internal;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Providers;

/// <summary>Validates the options of the enabled provider profiles at startup, naming each key.</summary>
internal sealed class ProviderOptionsValidator(IEnumerable<ProviderProfileRegistration> registrations) : IValidateOptions<FirstPartyOptions>
{
    private const string Section = "FirstParty:Providers";
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(400);
    private static readonly string[] SameSiteValues = ["Lax", "Strict", "None"];

    public ValidateOptionsResult Validate(string? name, FirstPartyOptions options)
    {
        var failures = new List<string>();
        var categories = ((IEnumerable<ConsentCategoryOptions>?)options.Consent.Categories ?? ConsentOptions.DefaultCategories).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (registration.Options == typeof(SnowplowProfileOptions))
            {
                Snowplow(failures, options.Providers.Snowplow, categories);
            }
            else if (registration.Options == typeof(AmplitudeProfileOptions))
            {
                Amplitude(failures, options.Providers.Amplitude, categories);
            }
            else if (registration.Options == typeof(GoogleAnalyticsProfileOptions))
            {
                Lifetime(failures, $"{Section}:GoogleAnalytics:Lifetime", options.Providers.GoogleAnalytics.Lifetime);
                Category(failures, $"{Section}:GoogleAnalytics:Category", options.Providers.GoogleAnalytics.Category, categories);
            }
        }

        Snippets(failures, options.Providers, options.Collector);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Snippet settings are checked whenever they are set, whether or not a profile is added.</summary>
    private static void Snippets(List<string> failures, ProviderProfileOptions providers, CollectorOptions? collector)
    {
        var snowplow = providers.Snowplow;
        ScriptUrl(failures, $"{Section}:Snowplow:ScriptUrl", snowplow.ScriptUrl);
        ScriptUrl(failures, $"{Section}:Snowplow:CollectorUrl", snowplow.CollectorUrl);

        // With the same-origin collector forwarding Snowplow, the snippet sends there and needs no collector URL.
        var sameOrigin = collector is { Enabled: true, Snowplow.Upstream: not null };
        if (snowplow.ScriptUrl is not null && snowplow.CollectorUrl is null && !sameOrigin)
        {
            failures.Add($"{Section}:Snowplow:ScriptUrl and {Section}:Snowplow:CollectorUrl are set together (the snippet needs both), unless FirstParty:Collector forwards Snowplow (Enabled and Snowplow:Upstream set).");
        }
        else if (snowplow.ScriptUrl is null && snowplow.CollectorUrl is not null)
        {
            failures.Add($"{Section}:Snowplow:ScriptUrl and {Section}:Snowplow:CollectorUrl are set together (the snippet needs both).");
        }

        ScriptUrl(failures, $"{Section}:Amplitude:ScriptUrl", providers.Amplitude.ScriptUrl);
        ScriptUrl(failures, $"{Section}:Amplitude:ServerUrl", providers.Amplitude.ServerUrl);
        if (providers.Amplitude.ScriptUrl is not null && providers.Amplitude.ApiKey is null)
        {
            failures.Add($"{Section}:Amplitude:ApiKey is needed by the Amplitude snippet ({Section}:Amplitude:ScriptUrl is set).");
        }

        if (providers.GoogleAnalytics.MeasurementId is { } measurement && !(measurement.StartsWith("G-", StringComparison.Ordinal) && measurement.Length > 2 && measurement[2..].All(char.IsAsciiLetterOrDigit)))
        {
            failures.Add($"{Section}:GoogleAnalytics:MeasurementId must look like 'G-XXXXXXX'; it is '{measurement}'.");
        }

        ScriptUrl(failures, $"{Section}:GoogleAnalytics:ScriptUrl", providers.GoogleAnalytics.ScriptUrl);
        ScriptUrl(failures, $"{Section}:Matomo:Url", providers.Matomo.Url);
        if (providers.Matomo.Url is { } matomo && !matomo.EndsWith('/'))
        {
            failures.Add($"{Section}:Matomo:Url must end with '/' (matomo.js and matomo.php are under it); it is '{matomo}'.");
        }

        if ((providers.Matomo.Url is null) != (providers.Matomo.SiteId is null))
        {
            failures.Add($"{Section}:Matomo:Url and {Section}:Matomo:SiteId are set together (the snippet needs both).");
        }

        if (providers.Clarity.ProjectId is { } project && !project.All(char.IsAsciiLetterOrDigit))
        {
            failures.Add($"{Section}:Clarity:ProjectId must be letters and digits; it is '{project}'.");
        }

        ScriptUrl(failures, $"{Section}:Clarity:ScriptUrl", providers.Clarity.ScriptUrl);
        ScriptUrl(failures, $"{Section}:Plausible:ScriptUrl", providers.Plausible.ScriptUrl);
        if (providers.Plausible.Domain is { } domain && Uri.CheckHostName(domain) != UriHostNameType.Dns)
        {
            failures.Add($"{Section}:Plausible:Domain must be the site's host name as registered in Plausible; it is '{domain}'.");
        }
    }

    /// <summary>An absolute https (or http) URL, or a local path such as <c>/js/sp.js</c> for a self-hosted SDK.</summary>
    private static void ScriptUrl(List<string> failures, string key, string? url)
    {
        if (url is null)
        {
            return;
        }

        if (!ReturnUrls.IsLocal(url) && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            failures.Add($"{key} must be an absolute http(s) URL or a local path starting with '/'; it is '{url}'.");
        }
    }

    private static void Snowplow(List<string> failures, SnowplowProfileOptions snowplow, HashSet<string> categories)
    {
        Category(failures, $"{Section}:Snowplow:Category", snowplow.Category, categories);
        if (string.IsNullOrEmpty(snowplow.CookieNamePrefix) || !snowplow.CookieNamePrefix.All(IsTokenChar))
        {
            failures.Add($"{Section}:Snowplow:CookieNamePrefix must be a cookie-name token such as '_sp_'; it is '{snowplow.CookieNamePrefix}'.");
        }

        if (snowplow.CookieDomain is { Length: > 0 } domain && Uri.CheckHostName(domain.TrimStart('.')) != UriHostNameType.Dns)
        {
            failures.Add($"{Section}:Snowplow:CookieDomain must be a host name such as 'example.com' (as in the tracker's cookieDomain); it is '{domain}'.");
        }

        if (!SameSiteValues.Contains(snowplow.SameSite, StringComparer.Ordinal))
        {
            failures.Add($"{Section}:Snowplow:SameSite must be Lax, Strict or None; it is '{snowplow.SameSite}'.");
        }
        else if (snowplow.SameSite == "None" && !snowplow.Secure)
        {
            failures.Add($"{Section}:Snowplow:SameSite None needs {Section}:Snowplow:Secure true.");
        }

        Lifetime(failures, $"{Section}:Snowplow:Lifetime", snowplow.Lifetime, cap: false);
        if (snowplow.SessionTimeout <= TimeSpan.Zero || snowplow.SessionTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:Snowplow:SessionTimeout must be more than zero and at most one day; it is {snowplow.SessionTimeout}.");
        }

        // Settings that keep the tracker off cookies: it would never read the ones the profile writes.
        Cookieless(failures, "Snowplow", "AddSnowplow()", snowplow.Settings, "stateStorageStrategy", static v => v is "localStorage" or "none", "'cookieAndLocalStorage' or 'cookie'");
        Cookieless(failures, "Snowplow", "AddSnowplow()", snowplow.Settings, "anonymousTracking", static v => v is not "false", "false");
    }

    private static void Amplitude(List<string> failures, AmplitudeProfileOptions amplitude, HashSet<string> categories)
    {
        Category(failures, $"{Section}:Amplitude:Category", amplitude.Category, categories);
        var needed = amplitude.Sdk == AmplitudeSdk.AmplitudeJs ? 6 : 10;
        if (amplitude.ApiKey is not { } key || key.Length < needed || !key.All(char.IsAsciiLetterOrDigit))
        {
            failures.Add($"{Section}:Amplitude:ApiKey must be the project's API key (letters and digits, at least {needed} characters for {amplitude.Sdk}).");
        }

        if (!Enum.IsDefined(amplitude.Sdk))
        {
            failures.Add($"{Section}:Amplitude:Sdk must be AnalyticsBrowser or AmplitudeJs.");
        }

        Lifetime(failures, $"{Section}:Amplitude:Lifetime", amplitude.Lifetime);

        // Settings that keep the SDK off cookies: it would never read the one the profile writes.
        Cookieless(failures, "Amplitude", "AddAmplitude()", amplitude.Settings, "identityStorage", static v => v is "localStorage" or "sessionStorage" or "none", "'cookie'");
        Cookieless(failures, "Amplitude", "AddAmplitude()", amplitude.Settings, "disableCookies", static v => v is "true", "false");
        if (amplitude.Sdk == AmplitudeSdk.AmplitudeJs)
        {
            Cookieless(failures, "Amplitude", "AddAmplitude()", amplitude.Settings, "storage", static v => v is "localStorage" or "sessionStorage" or "none", "'cookies'");
        }
    }

    /// <summary>
    /// A snippet setting that makes the SDK keep no cookie contradicts the profile, which exists to
    /// write that cookie: the message names both, and how to resolve it either way.
    /// </summary>
    private static void Cookieless(List<string> failures, string provider, string profile, IDictionary<string, string> settings, string setting, Func<string, bool> keepsNoCookie, string cookieValue)
    {
        if (settings.TryGetValue(setting, out var value) && !string.IsNullOrEmpty(value) && keepsNoCookie(value))
        {
            failures.Add($"{Section}:{provider}:Settings:{setting} is '{value}', so the SDK keeps no cookie and the {provider} profile ({profile}) would write cookies it never reads: "
                + $"either remove {profile} (the snippet works without it) or set {Section}:{provider}:Settings:{setting} to {cookieValue} (or leave it out).");
        }
    }

    private static void Category(List<string> failures, string key, string category, HashSet<string> categories)
    {
        if (!categories.Contains(category))
        {
            failures.Add($"{key} must name a consent category ({string.Join(", ", categories)}); it is '{category}'.");
        }
    }

    /// <summary>Lifetimes above 400 days are capped by browsers; the SDK's own two-year default is accepted and capped when written.</summary>
    private static void Lifetime(List<string> failures, string key, TimeSpan lifetime, bool cap = true)
    {
        if (lifetime <= TimeSpan.Zero || (cap && lifetime > MaxLifetime))
        {
            failures.Add($"{key} must be more than zero{(cap ? " and at most 400 days" : string.Empty)}; it is {lifetime}.");
        }
    }

    private static bool IsTokenChar(char c)
        => c is > ' ' and < '\u007f' and not ('(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}');
}
