using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The per-request consent state; a decision made during the request updates it in place. It is
/// also the request's <see cref="ITrackingConsentFeature"/>, so framework code that checks
/// <c>CanTrack</c> (Identity UI, TempData providers, templates) follows the same decision. It holds
/// consent only: what other folders remember about the request lives in their own features.
/// </summary>
internal sealed class ConsentFeature : IConsentFeature, ITrackingConsentFeature
{
    private readonly ConsentPolicy _policy;

    // The request this state belongs to, as aspnetcore's CookiePolicy wrapper keeps it: the
    // ITrackingConsentFeature methods decide for this request.
    private readonly HttpContext? _context;
    private Dictionary<string, bool>? _categories;
    private bool? _grantsEverything;

    public ConsentFeature(ConsentPolicy policy, ConsentRecord? current, ConsentRecord? previous, ConsentRegime regime, string? region, bool optOutSignal, HttpContext? context = null)
    {
        _policy = policy;
        _context = context;
        Current = current;
        Previous = previous;
        Regime = regime;
        Region = region;
        GlobalPrivacyControl = optOutSignal;
    }

    /// <summary>The current decision, or null when undecided.</summary>
    public ConsentRecord? Current { get; private set; }

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

    /// <summary>A decision is needed before anything optional may be stored: OptIn and undecided.</summary>
    bool ITrackingConsentFeature.IsConsentNeeded => Regime == ConsentRegime.OptIn && !IsDecided;

    /// <summary>A current decision grants at least one optional category or service.</summary>
    bool ITrackingConsentFeature.HasConsent => Current is not null && _policy.GrantsAnythingOptional(Current);

    bool ITrackingConsentFeature.CanTrack
        => !((ITrackingConsentFeature)this).IsConsentNeeded && (Current is null || ((ITrackingConsentFeature)this).HasConsent);

    void ITrackingConsentFeature.GrantConsent()
        => RequireContext().RequestServices.GetRequiredService<IConsentDecider>()
            .DecideWithoutWaiting(_context!, this, ConsentSources.Api, [.. _policy.Categories.Select(c => c.Key)]);

    void ITrackingConsentFeature.WithdrawConsent()
        => RequireContext().RequestServices.GetRequiredService<IConsentDecider>()
            .DecideWithoutWaiting(_context!, this, ConsentSources.Withdraw, []);

    string ITrackingConsentFeature.CreateConsentCookie()
        => RequireContext().RequestServices.GetRequiredService<ConsentManager>().CreateAcceptAllCookie(this);

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

    /// <summary>Makes a new decision the state of the rest of the request.</summary>
    public void Apply(ConsentRecord decision) => Replace(decision);

    /// <summary>Puts back the decision a failed decision replaced (null: undecided), so the rest of the request sees nothing changed.</summary>
    public void Restore(ConsentRecord? decision) => Replace(decision);

    private void Replace(ConsentRecord? decision)
    {
        Current = decision;
        _categories = null;
        _grantsEverything = null;
    }

    private HttpContext RequireContext()
        => _context ?? throw new InvalidOperationException("This consent state was not created for a request.");
}
