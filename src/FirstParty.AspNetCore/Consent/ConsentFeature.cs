using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The per-request consent state; a decision made during the request updates it in place. It is
/// also the request's <see cref="ITrackingConsentFeature"/>, so framework code that checks
/// <c>CanTrack</c> (Identity UI, TempData providers, templates) follows the same decision.
/// </summary>
internal sealed class ConsentFeature : IConsentFeature, ITrackingConsentFeature
{
    private readonly ConsentPolicy _policy;
    private Dictionary<string, bool>? _categories;
    private bool? _grantsEverything;

    public ConsentFeature(ConsentPolicy policy, ConsentRecord? current, ConsentRecord? previous, ConsentRegime regime, string? region, bool optOutSignal)
    {
        _policy = policy;
        Current = current;
        Previous = previous;
        Regime = regime;
        Region = region;
        GlobalPrivacyControl = optOutSignal;
    }

    /// <summary>The current decision, or null when undecided.</summary>
    public ConsentRecord? Current { get; private set; }

    /// <summary>True once the provider profiles' cookies are scheduled for this response.</summary>
    internal bool ProvidersScheduled { get; set; }

    /// <summary>The SDK ids worked out for this request (several snippets on a page share them); cleared by a decision.</summary>
    internal ProviderIds? ProviderIds { get; set; }

    /// <summary>The visitor <see cref="ProviderIds"/> were worked out for (the visitor can change within a request).</summary>
    internal IVisitorFeature? ProviderIdsVisitor { get; set; }

    /// <summary>An expired decision or one under an earlier revision: it pre-fills the form and keeps the consent id.</summary>
    public ConsentRecord? Previous { get; }

    public bool IsDecided => Current is not null;

    public bool IsStale => Current is null && Previous is not null;

    public string? ConsentId => (Current ?? Previous)?.Id;

    public int Revision => Current?.Revision ?? _policy.Options.Revision;

    public ConsentRegime Regime { get; }

    public string? Region { get; }

    public bool GlobalPrivacyControl { get; }

    public DateTimeOffset? DecidedAt => Current is null ? null : DateTimeOffset.FromUnixTimeSeconds(Current.DecidedAt);

    public DateTimeOffset? ExpiresAt => Current is null ? null : DateTimeOffset.FromUnixTimeSeconds(Current.ExpiresAt);

    public string? Source => Current?.Source;

    public IReadOnlyDictionary<string, bool> Categories
        => _categories ??= _policy.Categories.ToDictionary(c => c.Key, c => IsGranted(c.Key), StringComparer.Ordinal);

    public bool IsGranted(string category) => _policy.IsGranted(category, Current, Regime, GlobalPrivacyControl);

    /// <summary>Set by the manager, so the tracking-consent methods can record decisions.</summary>
    public ConsentManager? Manager { get; init; }

    public HttpContext? Context { get; init; }

    /// <summary>A decision is needed before anything optional may be stored: OptIn and undecided.</summary>
    bool ITrackingConsentFeature.IsConsentNeeded => Regime == ConsentRegime.OptIn && !IsDecided;

    /// <summary>A current decision grants at least one optional category or service.</summary>
    bool ITrackingConsentFeature.HasConsent => Current is not null && _policy.GrantsAnythingOptional(Current);

    bool ITrackingConsentFeature.CanTrack
        => !((ITrackingConsentFeature)this).IsConsentNeeded && (Current is null || ((ITrackingConsentFeature)this).HasConsent);

    void ITrackingConsentFeature.GrantConsent()
        => RequireManager().DecideWithoutWaiting(Context!, this, ConsentSources.Api, [.. _policy.Categories.Select(c => c.Key)]);

    void ITrackingConsentFeature.WithdrawConsent()
        => RequireManager().DecideWithoutWaiting(Context!, this, ConsentSources.Withdraw, []);

    string ITrackingConsentFeature.CreateConsentCookie() => RequireManager().CreateAcceptAllCookie(this);

    /// <summary>
    /// The visitor and session cookies are allowed: their category is granted, or the
    /// audience-measurement exemption applies (OptIn, no decision yet).
    /// </summary>
    public bool AllowsVisitorCookies(string visitorCategory)
        => IsGranted(visitorCategory)
            || (_policy.Options.AudienceMeasurementExemption && Regime == ConsentRegime.OptIn && Current is null);

    /// <summary>
    /// True when every category is granted, so no cookie can be refused. Asked at least twice a
    /// request (when the gate decides whether to watch, and in its last pass), so it is worked out
    /// once per decision.
    /// </summary>
    public bool GrantsEverything => _grantsEverything ??= ComputeGrantsEverything();

    private bool ComputeGrantsEverything()
    {
        var categories = _policy.Categories;
        for (var i = 0; i < categories.Count; i++)
        {
            if (!IsGranted(categories[i].Key))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True once this request's <c>Response.Cookies</c> passes the cookie gate (decorated once per request).</summary>
    public bool IsGated { get; set; }

    /// <summary>True once this request's response deletes the visitor cookies.</summary>
    public bool VisitorCookiesDeleted { get; set; }

    /// <summary>Makes a new decision the state of the rest of the request.</summary>
    public void Apply(ConsentRecord decision)
    {
        ProviderIds = null;
        Current = decision;
        _categories = null;
        _grantsEverything = null;
    }

    private ConsentManager RequireManager()
        => Manager is not null && Context is not null
            ? Manager
            : throw new InvalidOperationException("This consent state was not created for a request.");
}
