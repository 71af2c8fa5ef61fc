using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// Implemented by the app's own <see cref="DbContext"/> to keep the consent ledger in its database:
/// the table then joins the app's migrations.
/// </summary>
public interface IConsentLedgerDbContext
{
    /// <summary>The consent receipts.</summary>
    DbSet<ConsentReceiptEntity> ConsentReceipts { get; }
}
