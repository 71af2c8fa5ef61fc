namespace FirstParty.AspNetCore;

/// <summary>
/// The proof of one consent decision (GDPR Art. 7(1)): who (pseudonymous ids), when, under which
/// policy revision and regime, what was granted and refused, and how it was collected.
/// </summary>
/// <param name="ReceiptId">A new UUID v4 per receipt.</param>
/// <param name="ConsentId">The browser's consent id, stable across its later decisions.</param>
/// <param name="VisitorId">The visitor id when the visitor cookie exists, else null.</param>
/// <param name="Timestamp">When the decision was made (UTC).</param>
/// <param name="Revision">The policy revision the person saw.</param>
/// <param name="Regime">The regime that applied.</param>
/// <param name="Region">The region, when known.</param>
/// <param name="Source">How the decision was collected: accept-all, reject-all, custom, withdraw, api, gpc.</param>
/// <param name="Granted">The categories granted.</param>
/// <param name="Denied">The categories refused.</param>
/// <param name="GlobalPrivacyControl">Whether the request carried an honoured opt-out signal.</param>
/// <param name="ExpiresAt">When the decision expires.</param>
public sealed record ConsentReceipt(
    string ReceiptId,
    string ConsentId,
    string? VisitorId,
    DateTimeOffset Timestamp,
    int Revision,
    ConsentRegime Regime,
    string? Region,
    string Source,
    IReadOnlyList<string> Granted,
    IReadOnlyList<string> Denied,
    bool GlobalPrivacyControl,
    DateTimeOffset ExpiresAt);
