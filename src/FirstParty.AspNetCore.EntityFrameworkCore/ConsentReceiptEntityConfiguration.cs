using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// The <c>FirstPartyConsentReceipts</c> table: keyed by receipt id (which makes appends idempotent),
/// indexed for the lookups by consent, visitor and user id and for the retention purge by time.
/// </summary>
public sealed class ConsentReceiptEntityConfiguration : IEntityTypeConfiguration<ConsentReceiptEntity>
{
    /// <summary>The table name.</summary>
    public const string TableName = "FirstPartyConsentReceipts";

    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ConsentReceiptEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable(TableName);
        builder.HasKey(e => e.ReceiptId);
        builder.Property(e => e.ReceiptId).HasMaxLength(64).ValueGeneratedNever();
        builder.Property(e => e.ConsentId).HasMaxLength(64).IsRequired();
        builder.Property(e => e.VisitorId).HasMaxLength(64);
        builder.Property(e => e.UserId).HasMaxLength(256);
        builder.Property(e => e.NoticeHash).HasMaxLength(64);
        builder.Property(e => e.Regime).HasMaxLength(16).IsRequired();
        builder.Property(e => e.Region).HasMaxLength(32);
        builder.Property(e => e.Language).HasMaxLength(35);
        builder.Property(e => e.Source).HasMaxLength(32).IsRequired();
        builder.Property(e => e.Granted).HasMaxLength(4000).IsRequired();
        builder.Property(e => e.Denied).HasMaxLength(4000).IsRequired();
        builder.Property(e => e.PagePath).HasMaxLength(512);
        builder.Property(e => e.UserAgent).HasMaxLength(4096);
        builder.Property(e => e.IpAddress).HasMaxLength(45);
        builder.HasIndex(e => new { e.ConsentId, e.Timestamp });
        builder.HasIndex(e => new { e.VisitorId, e.Timestamp });
        builder.HasIndex(e => new { e.UserId, e.Timestamp });
        builder.HasIndex(e => e.Timestamp);
    }
}
