using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// The <c>FirstPartyErasureTombstones</c> table: one row per erasure, indexed by subject for the
/// check every append makes and by time for the retention purge.
/// </summary>
public sealed class ErasureTombstoneEntityConfiguration : IEntityTypeConfiguration<ErasureTombstoneEntity>
{
    /// <summary>The table name.</summary>
    public const string TableName = "FirstPartyErasureTombstones";

    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ErasureTombstoneEntity> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ToTable(TableName);
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.SubjectKind).HasMaxLength(16).IsRequired();
        builder.Property(e => e.SubjectId).HasMaxLength(256).IsRequired();
        builder.Property(e => e.Erasure).HasMaxLength(16).IsRequired();
        builder.HasIndex(e => new { e.SubjectKind, e.SubjectId, e.ErasedBefore });
        builder.HasIndex(e => e.ErasedBefore);
    }
}
