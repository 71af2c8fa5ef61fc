using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// A ready-made context holding only the consent ledger, for apps that have no EF Core model of
/// their own; registered by <c>AddEntityFrameworkCoreLedger(options =&gt; options.UseSqlite(...))</c>.
/// It can hold the Data Protection key ring too, so one database keeps both the receipts and the keys
/// that sign the visitor and consent cookies:
/// <c>services.AddDataProtection().PersistKeysToDbContext&lt;ConsentLedgerDbContext&gt;()</c>.
/// EF Core migrations are provider-specific, so the package ships none: an app derives one context
/// per provider (through the protected constructor) and keeps each one's migrations, as the MVC
/// sample does for SQLite and PostgreSQL.
/// </summary>
public class ConsentLedgerDbContext : DbContext, IConsentLedgerDbContext, IDataProtectionKeyContext
{
    /// <summary>Creates the context with the options registered for it.</summary>
    /// <param name="options">The options of this context.</param>
    public ConsentLedgerDbContext(DbContextOptions<ConsentLedgerDbContext> options)
        : base(options)
    {
    }

    /// <summary>
    /// Creates a derived context, for example one per database provider, each with its own
    /// migrations (<c>dotnet ef migrations add --context</c>).
    /// </summary>
    /// <param name="options">The options of the derived context.</param>
    protected ConsentLedgerDbContext(DbContextOptions options)
        : base(options)
    {
    }

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
    public DbSet<StaffActionEntity> StaffActions => Set<StaffActionEntity>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ConsentReceiptEntity>();
        modelBuilder.Entity<ErasureTombstoneEntity>();
        modelBuilder.Entity<StaffActionEntity>();
        modelBuilder.Entity<DataProtectionKey>();
    }
}
