using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// A consent receipt as a row. Its table, lengths and indexes are configured by
/// <see cref="ConsentReceiptEntityConfiguration"/>, which EF Core applies by itself when the entity
/// is in a model, so an app's <c>DbContext</c> only needs the <see cref="IConsentLedgerDbContext"/> set.
/// </summary>
[EntityTypeConfiguration(typeof(ConsentReceiptEntityConfiguration))]
public sealed class ConsentReceiptEntity
{
    /// <summary>The receipt id (primary key).</summary>
    public string ReceiptId { get; set; } = string.Empty;

    /// <summary>The browser's consent id.</summary>
    public string ConsentId { get; set; } = string.Empty;

    /// <summary>The visitor id, when the visitor cookie existed.</summary>
    public string? VisitorId { get; set; }

    /// <summary>The signed-in user's id, when known.</summary>
    public string? UserId { get; set; }

    /// <summary>When the decision was made (UTC).</summary>
    public DateTime Timestamp { get; set; }

    /// <summary>When the decision expires (UTC).</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>The policy revision shown.</summary>
    public int Revision { get; set; }

    /// <summary>SHA-256 (hex) of the notice texts shown.</summary>
    public string? NoticeHash { get; set; }

    /// <summary>The regime that applied (OptIn, OptOut, Implied).</summary>
    public string Regime { get; set; } = string.Empty;

    /// <summary>The region, when known.</summary>
    public string? Region { get; set; }

    /// <summary>The UI culture of the notice.</summary>
    public string? Language { get; set; }

    /// <summary>How the decision was collected.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The granted categories and services, space-separated.</summary>
    public string Granted { get; set; } = string.Empty;

    /// <summary>The refused categories and services, space-separated.</summary>
    public string Denied { get; set; } = string.Empty;

    /// <summary>Whether an honoured Global Privacy Control signal was present.</summary>
    public bool GlobalPrivacyControl { get; set; }

    /// <summary>The page path the decision was made on.</summary>
    public string? PagePath { get; set; }

    /// <summary>The truncated User-Agent.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The anonymised client network.</summary>
    public string? IpAddress { get; set; }
}
