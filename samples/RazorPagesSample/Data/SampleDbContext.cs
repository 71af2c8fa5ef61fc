using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>
/// The sample's own database. Implementing <see cref="IConsentLedgerDbContext"/> puts FirstParty's
/// consent receipts in it, beside the app's tables, under the app's migrations.
/// </summary>
public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options), IConsentLedgerDbContext
{
    /// <summary>FirstParty's consent ledger.</summary>
    public DbSet<ConsentReceiptEntity> ConsentReceipts => Set<ConsentReceiptEntity>();

    /// <summary>FirstParty's erasure tombstones: receipts that reach the database after an erasure stay erased.</summary>
    public DbSet<ErasureTombstoneEntity> ErasureTombstones => Set<ErasureTombstoneEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ConsentReceiptEntity>();
        modelBuilder.Entity<ErasureTombstoneEntity>();
    }
}
