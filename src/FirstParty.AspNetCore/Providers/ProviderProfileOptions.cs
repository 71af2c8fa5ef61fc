namespace FirstParty.AspNetCore;

/// <summary>
/// The analytics SDKs whose id cookies FirstParty writes from the server, bound from
/// <c>FirstParty:Providers</c>. A profile is only active once added with <c>AddSnowplow()</c>,
/// <c>AddAmplitude()</c> or <c>AddGoogleAnalytics()</c>.
/// </summary>
public sealed class ProviderProfileOptions
{
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
}
