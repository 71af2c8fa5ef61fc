using FirstParty.AspNetCore.Consent;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// What the provider profiles remember about one request, as a request feature of their own, made
/// only when needed (never on a plain page view): that a decision asked for the missing cookies, and
/// the SDK ids already worked out (several snippets on a page share them).
/// </summary>
internal sealed class ProviderRequestState
{
    /// <summary>A decision granted the cookies on a response that does not otherwise write them.</summary>
    public bool MissingRequested { get; set; }

    /// <summary>The ids worked out for <see cref="IdsVisitor"/>.</summary>
    public ProviderIds? Ids { get; set; }

    // The ids hold for one visitor under one decision; a decision or a forget later in the request
    // changes one of these three, and the ids are worked out again.

    /// <summary>The visitor <see cref="Ids"/> were worked out for.</summary>
    public IVisitorFeature? IdsVisitor { get; set; }

    /// <summary>The consent state <see cref="Ids"/> were worked out under.</summary>
    public IConsentFeature? IdsConsent { get; set; }

    /// <summary>The decision of <see cref="IdsConsent"/> at the time.</summary>
    public ConsentRecord? IdsDecision { get; set; }
}
