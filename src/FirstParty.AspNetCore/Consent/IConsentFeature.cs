namespace FirstParty.AspNetCore;

/// <summary>
/// The consent state of the request, decided before the app runs. Read it with
/// <c>HttpContext.GetConsent()</c>.
/// </summary>
public interface IConsentFeature
{
    /// <summary>True when the person made a choice that is current (not expired, same policy revision).</summary>
    bool IsDecided { get; }

    /// <summary>True when the person decided under an earlier revision or the decision expired: ask again, pre-filled.</summary>
    bool IsStale { get; }

    /// <summary>The consent id (a UUID v4 that stays the same across this browser's later choices), or null before any choice.</summary>
    string? ConsentId { get; }

    /// <summary>The policy revision of the decision, or the current revision when undecided.</summary>
    int Revision { get; }

    /// <summary>The regime that applies to this request.</summary>
    ConsentRegime Regime { get; }

    /// <summary>The region the regime was chosen for (<c>FR</c>, <c>US-CA</c>), or null when unknown.</summary>
    string? Region { get; }

    /// <summary>True when the request carries an honoured opt-out signal (Global Privacy Control, or Do Not Track when enabled).</summary>
    bool GlobalPrivacyControl { get; }

    /// <summary>When the decision was made.</summary>
    DateTimeOffset? DecidedAt { get; }

    /// <summary>When the decision expires and the person is asked again.</summary>
    DateTimeOffset? ExpiresAt { get; }

    /// <summary>How the decision was made: <c>accept-all</c>, <c>reject-all</c>, <c>custom</c>, <c>withdraw</c>, <c>api</c> or <c>gpc</c>; null when undecided.</summary>
    string? Source { get; }

    /// <summary>Every category with whether it is granted on this request.</summary>
    IReadOnlyDictionary<string, bool> Categories { get; }

    /// <summary>
    /// True when the category, or the service given as <c>category/service</c>, may be used on this
    /// request. A service follows its category unless the person chose that category's services one
    /// by one. Unknown keys are never granted.
    /// </summary>
    bool IsGranted(string category);
}
