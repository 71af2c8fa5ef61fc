using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MvcSample.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ErasureTombstonesAndKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FirstPartyErasureTombstones",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SubjectKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SubjectId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ErasedBefore = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Erasure = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FirstPartyErasureTombstones", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FirstPartyErasureTombstones_ErasedBefore",
                table: "FirstPartyErasureTombstones",
                column: "ErasedBefore");

            migrationBuilder.CreateIndex(
                name: "IX_FirstPartyErasureTombstones_SubjectKind_SubjectId_ErasedBef~",
                table: "FirstPartyErasureTombstones",
                columns: new[] { "SubjectKind", "SubjectId", "ErasedBefore" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "FirstPartyErasureTombstones");
        }
    }
}
