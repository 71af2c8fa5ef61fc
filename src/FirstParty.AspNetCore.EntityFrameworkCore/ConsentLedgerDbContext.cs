using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// A ready-made context holding only the consent ledger, for apps that have no EF Core model of
/// their own; registered by <c>AddEntityFrameworkCoreLedger(options =&gt; options.UseSqlite(...))</c>.
/// It can hold the Data Protection key ring too, so one database keeps both the receipts and the keys
/// that sign the visitor and consent cookies:
/// <c>services.AddDataProtection().PersistKeysToDbContext&lt;ConsentLedgerDbContext&gt;()</c>.
/// </summary>
public class ConsentLedgerDbContext(DbContextOptions<ConsentLedgerDbContext> options) : DbContext(options), IConsentLedgerDbContext, IDataProtectionKeyContext
{
    /// <inheritdoc />
    public DbSet<ConsentReceiptEntity> ConsentReceipts => Set<ConsentReceiptEntity>();

    /// <summary>
    /// The Data Protection keys, used when the app calls <c>PersistKeysToDbContext&lt;ConsentLedgerDbContext&gt;()</c>;
    /// the table is created with the receipts' either way, and stays empty otherwise.
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    public DbSet<ErasureTombstoneEntity> ErasureTombstones => Set<ErasureTombstoneEntity>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ConsentReceiptEntity>();
        modelBuilder.Entity<ErasureTombstoneEntity>();
        modelBuilder.Entity<DataProtectionKey>();
    }
}
