namespace FirstParty.AspNetCore;

/// <summary>
/// Options for the visitor cookie (<c>FirstParty:Visitor</c>).
/// </summary>
public sealed class VisitorOptions
{
    /// <summary>The longest lifetime browsers honour (RFC 6265bis): 400 days.</summary>
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(400);

    /// <summary>Cookie name. Default <c>_fp_id</c>. <c>__Host-</c> and <c>__Secure-</c> prefixes are supported.</summary>
    public string CookieName { get; set; } = "_fp_id";

    /// <summary>Lifetime of the visitor cookie. Default 395 days; at most 400 days.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(395);

    /// <summary>
    /// <see cref="VisitorExpirationMode.Sliding"/> (default) renews the lifetime on visits;
    /// <see cref="VisitorExpirationMode.Fixed"/> counts it from the visitor's first visit and never extends it,
    /// as the audience-measurement consent exemption requires.
    /// </summary>
    public VisitorExpirationMode ExpirationMode { get; set; } = VisitorExpirationMode.Sliding;

    /// <summary>
    /// How often a sliding visitor cookie is re-sent to renew its expiry. Default one day, so that
    /// most responses carry no <c>Set-Cookie</c> and stay cacheable.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The consent category the visitor and session cookies belong to. Default <c>analytics</c>.</summary>
    public string Category { get; set; } = "analytics";

    /// <summary>When true (default), requests from known crawlers get no cookies.</summary>
    public bool IgnoreCrawlers { get; set; } = true;

    /// <summary>
    /// Regular expressions, matched case-sensitively against <c>User-Agent</c>, that mark a crawler
    /// (write <c>(?i)</c> for a case-insensitive one). When null (default) the embedded
    /// <c>crawler-user-agents</c> list is used, without its browser-automation entries; a configured
    /// list replaces it. Each entry must be a valid .NET regular expression.
    /// </summary>
    public IList<string>? CrawlerUserAgents { get; set; }
}

/// <summary>How the visitor cookie's expiry is computed.</summary>
public enum VisitorExpirationMode
{
    /// <summary>The lifetime restarts from the last visit (refreshed at most every <see cref="VisitorOptions.RefreshInterval"/>).</summary>
    Sliding,

    /// <summary>The lifetime is counted from the first visit and never extended.</summary>
    Fixed,
}
