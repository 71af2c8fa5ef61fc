using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace BlazorSample.Data;

/// <summary>
/// The sample's own SQLite database, under its own migrations (Migrations/). Implementing
/// <see cref="IConsentLedgerDbContext"/> puts FirstParty's consent receipts in it; implementing
/// <see cref="IDataProtectionKeyContext"/> keeps the keys that sign the cookies there too, so a
/// restart keeps every visitor and every decision.
/// </summary>
public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options), IConsentLedgerDbContext, IDataProtectionKeyContext
{
    /// <summary>FirstParty's consent ledger.</summary>
    public DbSet<ConsentReceiptEntity> ConsentReceipts => Set<ConsentReceiptEntity>();

    /// <summary>FirstParty's erasure tombstones: receipts that reach the database after an erasure stay erased.</summary>
    public DbSet<ErasureTombstoneEntity> ErasureTombstones => Set<ErasureTombstoneEntity>();

    /// <summary>FirstParty's staff action log: what staff did with people's receipts on the insights page.</summary>
    public DbSet<StaffActionEntity> StaffActions => Set<StaffActionEntity>();

    /// <summary>The Data Protection key ring.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ConsentReceiptEntity>();
        modelBuilder.Entity<ErasureTombstoneEntity>();
        modelBuilder.Entity<StaffActionEntity>();
        modelBuilder.Entity<DataProtectionKey>();
    }
}
