using FirstParty.AspNetCore.Consent;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// What the provider profiles remember about one request, as a request feature of their own: whether
/// their cookies are due on this response, and the SDK ids already worked out (several snippets on a
/// page share them).
/// </summary>
internal sealed class ProviderRequestState
{
    /// <summary>The cookies are written when the response starts.</summary>
    public bool Scheduled { get; set; }

    /// <summary>Only missing cookies are written (the answer to a decision); otherwise existing ones are refreshed with the visitor cookie.</summary>
    public bool MissingOnly { get; set; }

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
