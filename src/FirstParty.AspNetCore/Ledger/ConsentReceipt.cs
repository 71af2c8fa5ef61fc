namespace FirstParty.AspNetCore;

/// <summary>
/// The proof of one consent decision (GDPR Art. 7(1)): who (pseudonymous ids), when, under which
/// notice, policy revision and regime, what was granted and refused, and how it was collected. The
/// fields map onto ISO/IEC TS 27560 and the Kantara Consent Receipt (see <c>docs/consent-ledger.md</c>).
/// </summary>
public sealed record ConsentReceipt
{
    /// <summary>A new UUID per receipt; stores treat a second append of the same id as already written.</summary>
    public required string ReceiptId { get; init; }

    /// <summary>The browser's consent id, stable across its later decisions.</summary>
    public required string ConsentId { get; init; }

    /// <summary>The visitor id when the visitor cookie exists, else null.</summary>
    public string? VisitorId { get; init; }

    /// <summary>The signed-in user's id when <see cref="ConsentLedgerOptions.UserId"/> provides one.</summary>
    public string? UserId { get; init; }

    /// <summary>When the decision was made (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The policy revision the person saw.</summary>
    public required int Revision { get; init; }

    /// <summary>SHA-256 (hex) of the notice texts shown in <see cref="Language"/>: banner title and text, category names and descriptions.</summary>
    public string? NoticeHash { get; init; }

    /// <summary>The regime that applied.</summary>
    public required ConsentRegime Regime { get; init; }

    /// <summary>The region (jurisdiction), when known.</summary>
    public string? Region { get; init; }

    /// <summary>The UI culture the notice was shown in, for example <c>fr-FR</c>.</summary>
    public string? Language { get; init; }

    /// <summary>How the decision was collected: accept-all, reject-all, custom, withdraw, api, gpc.</summary>
    public required string Source { get; init; }

    /// <summary>The categories and services (<c>category/service</c>) granted.</summary>
    public required IReadOnlyList<string> Granted { get; init; }

    /// <summary>The categories and services refused.</summary>
    public required IReadOnlyList<string> Denied { get; init; }

    /// <summary>Whether the request carried an honoured opt-out signal (Global Privacy Control).</summary>
    public bool GlobalPrivacyControl { get; init; }

    /// <summary>When the decision expires.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The path of the page the decision was made on (no query string).</summary>
    public string? PagePath { get; init; }

    /// <summary>The browser's User-Agent, truncated to <see cref="ConsentLedgerOptions.UserAgentMaxLength"/>.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The client address anonymised to its /24 (IPv4) or /48 (IPv6) network.</summary>
    public string? IpAddress { get; init; }
}
