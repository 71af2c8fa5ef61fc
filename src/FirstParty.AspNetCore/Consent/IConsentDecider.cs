using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Makes a decision with everything that follows from it (consent cookie, visitor and SDK cookies,
/// receipt, event). Consent defines it and the request pipeline implements it, so that consent
/// code can start a decision without depending on the folders a decision touches.
/// </summary>
internal interface IConsentDecider
{
    /// <summary>Records a decision; in strict ledger mode the receipt is durable before this returns.</summary>
    /// <exception cref="IOException">Strict mode only: neither the store nor the spill file took the receipt.</exception>
    Task DecideAsync(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath = null);

    /// <summary>The same decision for synchronous callers: the receipt is handed over without waiting.</summary>
    void DecideWithoutWaiting(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested);
}
