using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>
/// The sample's own database. Implementing <see cref="IConsentLedgerDbContext"/> puts FirstParty's
/// consent receipts in it, beside the app's tables, under the app's migrations; implementing
/// <see cref="IDataProtectionKeyContext"/> keeps the Data Protection keys that sign the cookies there
/// too, so a restart or redeploy keeps every visitor. Migrations are provider-specific, so each
/// provider has a derived context with its own (<see cref="SqliteSampleDbContext"/>,
/// <see cref="PostgreSqlSampleDbContext"/>); the app resolves this type either way.
/// </summary>
public class SampleDbContext : DbContext, IConsentLedgerDbContext, IDataProtectionKeyContext
{
    public SampleDbContext(DbContextOptions<SampleDbContext> options)
        : base(options)
    {
    }

    protected SampleDbContext(DbContextOptions options)
        : base(options)
    {
    }

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
