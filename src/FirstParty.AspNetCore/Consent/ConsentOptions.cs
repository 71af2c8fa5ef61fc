namespace FirstParty.AspNetCore;

/// <summary>
/// Options for the consent service (<c>FirstParty:Consent</c>).
/// </summary>
public sealed class ConsentOptions
{
    /// <summary>Cookie name. Default <c>_fp_consent</c>.</summary>
    public string CookieName { get; set; } = "_fp_consent";

    /// <summary>The regime where no <see cref="Regions"/> entry applies. Default <see cref="ConsentRegime.OptIn"/>.</summary>
    public ConsentRegime Regime { get; set; } = ConsentRegime.OptIn;

    /// <summary>
    /// The policy revision. Raising it makes every earlier decision stale: people are asked again,
    /// with their previous choices pre-filled. Default 1.
    /// </summary>
    public int Revision { get; set; } = 1;

    /// <summary>How long a decision that grants anything non-essential is kept. Default 395 days; at most 400.</summary>
    public TimeSpan AcceptLifetime { get; set; } = TimeSpan.FromDays(395);

    /// <summary>How long a refusal is kept before asking again. Default 182 days (CNIL's six months); at most 400.</summary>
    public TimeSpan RefusalLifetime { get; set; } = TimeSpan.FromDays(182);

    /// <summary>Honour <c>Sec-GPC: 1</c> as a refusal of sale/sharing categories. Default true.</summary>
    public bool HonorGlobalPrivacyControl { get; set; } = true;

    /// <summary>Treat <c>DNT: 1</c> like Global Privacy Control. Default false (Do Not Track is deprecated).</summary>
    public bool HonorDoNotTrack { get; set; }

    /// <summary>
    /// The request header that carries the visitor's region, set by the CDN or proxy: a country code
    /// (<c>FR</c>) or country and subdivision (<c>US-CA</c>). Null (default): no region.
    /// </summary>
    public string? RegionHeader { get; set; }

    /// <summary>
    /// An optional header with the subdivision alone (for example <c>CA</c> with a country of <c>US</c>),
    /// for CDNs that send them apart.
    /// </summary>
    public string? SubdivisionHeader { get; set; }

    /// <summary>
    /// The regime per region: a subdivision (<c>US-CA</c>), a country (<c>US</c>), the group <c>EEA</c>
    /// (EU 27, Iceland, Liechtenstein, Norway) or <c>*</c>; the most specific entry wins.
    /// </summary>
    public IDictionary<string, ConsentRegime> Regions { get; set; } = new Dictionary<string, ConsentRegime>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The categories. When null (default): <c>necessary</c> (required), <c>preferences</c>,
    /// <c>analytics</c>, <c>marketing</c> (sale/sharing). A configured list replaces the defaults.
    /// </summary>
    public IList<ConsentCategoryOptions>? Categories { get; set; }

    /// <summary>
    /// The audience-measurement consent exemption (CNIL guidelines, art. 5): under
    /// <see cref="ConsentRegime.OptIn"/>, the visitor and session cookies may be set before a decision,
    /// for first-party audience measurement only. Off by default. It requires
    /// <c>Visitor:ExpirationMode = Fixed</c> and <c>Visitor:Lifetime</c> of at most 395 days (13 months,
    /// never extended); a refusal still removes the cookies, and tracking snippets and provider cookies
    /// stay gated by the category. See docs/consent.md for the conditions it assumes.
    /// </summary>
    public bool AudienceMeasurementExemption { get; set; }

    /// <summary>
    /// What happens to a cookie the app writes that no category declares: <see cref="UndeclaredCookiePolicy.Warn"/>
    /// (default) lets it through and logs a warning once per name, so the author can declare it.
    /// </summary>
    public UndeclaredCookiePolicy UndeclaredCookies { get; set; } = UndeclaredCookiePolicy.Warn;

    /// <summary>
    /// Declares ASP.NET Core's own cookies (default true): antiforgery, authentication, Identity,
    /// session, TempData and OpenID Connect correlation as <c>necessary</c>, the request culture as
    /// <c>preferences</c>. A declaration of the same name in <see cref="Categories"/> wins.
    /// </summary>
    public bool DeclareAspNetCoreCookies { get; set; } = true;

    internal static IReadOnlyList<ConsentCategoryOptions> DefaultCategories { get; } =
    [
        new() { Key = "necessary", Required = true },
        new() { Key = "preferences" },
        new() { Key = "analytics" },
        new() { Key = "marketing", SaleOrSharing = true },
    ];

    internal IReadOnlyList<ConsentCategoryOptions> EffectiveCategories => Categories is { Count: > 0 } configured ? [.. configured] : DefaultCategories;
}

/// <summary>What happens to cookies that no category declares.</summary>
public enum UndeclaredCookiePolicy
{
    /// <summary>Let them through and log a warning once per cookie name.</summary>
    Warn,

    /// <summary>Suppress them (with a Debug log and a metric), whatever the consent.</summary>
    Block,

    /// <summary>Let them through silently.</summary>
    Allow,
}
