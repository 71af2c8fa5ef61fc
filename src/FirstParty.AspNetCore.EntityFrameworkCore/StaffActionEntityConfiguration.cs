using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>The <c>FirstPartyStaffActions</c> table, indexed by time (the page lists the newest).</summary>
public sealed class StaffActionEntityConfiguration : IEntityTypeConfiguration<StaffActionEntity>
{
    /// <summary>The table name.</summary>
    public const string TableName = "FirstPartyStaffActions";

    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<StaffActionEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable(TableName);
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.Staff).HasMaxLength(256).IsRequired();
        builder.Property(e => e.Action).HasMaxLength(32).IsRequired();
        builder.Property(e => e.SubjectKind).HasMaxLength(16).IsRequired();
        builder.Property(e => e.SubjectHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(e => e.Timestamp);
    }
}
