using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// A ready-made context holding only the consent ledger, for apps that have no EF Core model of
/// their own; registered by <c>AddEntityFrameworkCoreLedger(options =&gt; options.UseSqlite(...))</c>.
/// </summary>
public class ConsentLedgerDbContext(DbContextOptions<ConsentLedgerDbContext> options) : DbContext(options), IConsentLedgerDbContext
{
    /// <inheritdoc />
    public DbSet<ConsentReceiptEntity> ConsentReceipts => Set<ConsentReceiptEntity>();

    /// <inheritdoc />
    public DbSet<ErasureTombstoneEntity> ErasureTombstones => Set<ErasureTombstoneEntity>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ConsentReceiptEntity>();
        modelBuilder.Entity<ErasureTombstoneEntity>();
    }
}
