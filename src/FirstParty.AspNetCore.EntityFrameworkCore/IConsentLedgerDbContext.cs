using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// Implemented by the app's own <see cref="DbContext"/> to keep the consent ledger in its database:
/// the tables then join the app's migrations.
/// </summary>
public interface IConsentLedgerDbContext
{
    /// <summary>The consent receipts.</summary>
    DbSet<ConsentReceiptEntity> ConsentReceipts { get; }

    /// <summary>The erasures, kept so that receipts arriving after them are erased too.</summary>
    DbSet<ErasureTombstoneEntity> ErasureTombstones { get; }

    /// <summary>What staff did with people's receipts (the insights page's action log).</summary>
    DbSet<StaffActionEntity> StaffActions { get; }
}
