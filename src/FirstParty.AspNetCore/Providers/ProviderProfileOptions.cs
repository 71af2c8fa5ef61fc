namespace FirstParty.AspNetCore;

/// <summary>
/// The analytics providers, bound from <c>FirstParty:Providers</c>: their tracking snippets
/// (<c>&lt;tracking-snippet provider="…" /&gt;</c>) and, for Snowplow, Amplitude and GA4, the id
/// cookies the server writes once the profile is added with <c>AddSnowplow()</c>,
/// <c>AddAmplitude()</c> or <c>AddGoogleAnalytics()</c>.
/// </summary>
public sealed class ProviderProfileOptions
{
    /// <summary>Matomo's tracking snippet.</summary>
    public MatomoSnippetOptions Matomo { get; set; } = new();

    /// <summary>Microsoft Clarity's tracking snippet.</summary>
    public ClaritySnippetOptions Clarity { get; set; } = new();

    /// <summary>Plausible's tracking snippet.</summary>
    public PlausibleSnippetOptions Plausible { get; set; } = new();

    /// <summary>
    /// The signed-in user's id that snippets pass to SDKs (<c>setUserId</c>, <c>user_id</c>), only
    /// when consent allows the provider. Default: the <c>NameIdentifier</c> claim of an
    /// authenticated user. FirstParty never writes it into a cookie; note that some SDKs keep it in
    /// their own storage. Set in code; return null to never identify.
    /// </summary>
    public Func<Microsoft.AspNetCore.Http.HttpContext, string?> UserId { get; set; } = static context
        => context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
            : null;

    /// <summary>The Snowplow browser tracker's <c>_sp_id.{hash}</c> and <c>_sp_ses.{hash}</c>.</summary>
    public SnowplowProfileOptions Snowplow { get; set; } = new();

    /// <summary>Amplitude's <c>AMP_{key}</c> (analytics-browser 2) or <c>amp_{key}</c> (amplitude-js 8).</summary>
    public AmplitudeProfileOptions Amplitude { get; set; } = new();

    /// <summary>Google Analytics 4's <c>_ga</c>.</summary>
    public GoogleAnalyticsProfileOptions GoogleAnalytics { get; set; } = new();
}

/// <summary>The Snowplow profile, bound from <c>FirstParty:Providers:Snowplow</c>. Match each value to the tracker's configuration.</summary>
public sealed class SnowplowProfileOptions
{
    /// <summary>The consent category that allows the cookies. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>The tracker's <c>cookieName</c> prefix. Default <c>_sp_</c>.</summary>
    public string CookieNamePrefix { get; set; } = "_sp_";

    /// <summary>
    /// The tracker's <c>cookieDomain</c>, used verbatim (it feeds the cookie-name hash, so
    /// <c>.example.com</c> and <c>example.com</c> differ). Null: the registrable domain, as the v4
    /// tracker discovers it.
    /// </summary>
    public string? CookieDomain { get; set; }

    /// <summary>The tracker's <c>cookieSecure</c>. Default true, as in the v4 tracker.</summary>
    public bool Secure { get; set; } = true;

    /// <summary>The tracker's <c>cookieSameSite</c>: <c>Lax</c> (v4 default), <c>Strict</c> or <c>None</c>.</summary>
    public string SameSite { get; set; } = "Lax";

    /// <summary>The tracker's <c>cookieLifetime</c>; browsers cap it at 400 days. Default 2 years.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(730);

    /// <summary>The tracker's <c>sessionCookieTimeout</c>. Default 30 minutes.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Snippet: the self-hosted UMD build of <c>@snowplow/browser-tracker</c> (it defines <c>snowplowBrowserTracking</c>).</summary>
    public string? ScriptUrl { get; set; }

    /// <summary>Snippet: Subresource Integrity of <see cref="ScriptUrl"/>.</summary>
    public string? Integrity { get; set; }

    /// <summary>Snippet: the collector endpoint, for example <c>https://collector.example.com</c>, or a path on this site (<c>/collector</c>).</summary>
    public string? CollectorUrl { get; set; }

    /// <summary>Snippet: the tracker's <c>appId</c>.</summary>
    public string? AppId { get; set; }

    /// <summary>Snippet: the tracker's namespace. Default <c>sp</c>.</summary>
    public string TrackerName { get; set; } = "sp";

    /// <summary>
    /// Snippet: more settings for the SDK's init call, for example <c>fetchRemoteConfig: false</c>.
    /// Values <c>true</c>, <c>false</c>, <c>null</c> and numbers are written as JSON literals, an empty value is left out, anything else is a string.
    /// </summary>
    public IDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Which Amplitude browser SDK reads the cookie.</summary>
public enum AmplitudeSdk
{
    /// <summary><c>@amplitude/analytics-browser</c> 2: cookie <c>AMP_{first 10 characters of the API key}</c>.</summary>
    AnalyticsBrowser,

    /// <summary>The legacy <c>amplitude-js</c> 8: cookie <c>amp_{first 6 characters of the API key}</c>.</summary>
    AmplitudeJs,
}

/// <summary>The Amplitude profile, bound from <c>FirstParty:Providers:Amplitude</c>.</summary>
public sealed class AmplitudeProfileOptions
{
    /// <summary>The consent category that allows the cookie. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>The project's API key (public; it names the cookie). Required.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The SDK the site loads. Never both for one key: analytics-browser deletes the legacy cookie.</summary>
    public AmplitudeSdk Sdk { get; set; } = AmplitudeSdk.AnalyticsBrowser;

    /// <summary>The SDK's <c>cookieOptions.secure</c>. Default false, as in the SDK.</summary>
    public bool Secure { get; set; }

    /// <summary>The SDK's cookie expiration. Default 365 days.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Snippet: the self-hosted SDK (analytics-browser's <c>amplitude-min.umd.js</c>, or amplitude-js's <c>amplitude.umd.min.js</c>).</summary>
    public string? ScriptUrl { get; set; }

    /// <summary>Snippet: Subresource Integrity of <see cref="ScriptUrl"/>.</summary>
    public string? Integrity { get; set; }

    /// <summary>Snippet: the SDK's <c>serverUrl</c> (for example a first-party proxy); null keeps Amplitude's.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>
    /// Snippet: more settings for the SDK's init call, for example <c>fetchRemoteConfig: false</c>.
    /// Values <c>true</c>, <c>false</c>, <c>null</c> and numbers are written as JSON literals, an empty value is left out, anything else is a string.
    /// </summary>
    public IDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The Google Analytics 4 profile, bound from <c>FirstParty:Providers:GoogleAnalytics</c>.</summary>
public sealed class GoogleAnalyticsProfileOptions
{
    /// <summary>The consent category that allows the cookie. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>Whether <c>_ga</c> is sent with <c>Secure</c>. Default false (gtag's default).</summary>
    public bool Secure { get; set; }

    /// <summary>The cookie lifetime; browsers cap it at 400 days. Default 400 days.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Snippet: the measurement id, <c>G-XXXXXXX</c>.</summary>
    public string? MeasurementId { get; set; }

    /// <summary>Snippet: where gtag.js comes from. Default <c>https://www.googletagmanager.com/gtag/js</c> (the id is appended).</summary>
    public string ScriptUrl { get; set; } = "https://www.googletagmanager.com/gtag/js";
}

/// <summary>Matomo's snippet, bound from <c>FirstParty:Providers:Matomo</c>.</summary>
public sealed class MatomoSnippetOptions
{
    /// <summary>The consent category (or <c>category/service</c>) the snippet needs. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>The Matomo base URL ending in <c>/</c>; <c>matomo.js</c> and <c>matomo.php</c> are under it.</summary>
    public string? Url { get; set; }

    /// <summary>The site id.</summary>
    public string? SiteId { get; set; }
}

/// <summary>Microsoft Clarity's snippet, bound from <c>FirstParty:Providers:Clarity</c>.</summary>
public sealed class ClaritySnippetOptions
{
    /// <summary>The consent category (or <c>category/service</c>) the snippet needs. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>The project id.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Where the tag comes from. Default <c>https://www.clarity.ms/tag/</c> (the id is appended).</summary>
    public string ScriptUrl { get; set; } = "https://www.clarity.ms/tag/";
}

/// <summary>Plausible's snippet, bound from <c>FirstParty:Providers:Plausible</c>.</summary>
public sealed class PlausibleSnippetOptions
{
    /// <summary>The consent category (or <c>category/service</c>) the snippet needs. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>The site's domain as registered in Plausible (<c>data-domain</c>).</summary>
    public string? Domain { get; set; }

    /// <summary>Where the script comes from. Default <c>https://plausible.io/js/script.js</c>.</summary>
    public string ScriptUrl { get; set; } = "https://plausible.io/js/script.js";

    /// <summary>Subresource Integrity of <see cref="ScriptUrl"/>.</summary>
    public string? Integrity { get; set; }
}
