using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RazorPagesSample.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FirstPartyErasureTombstones",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SubjectKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ErasedBefore = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Erasure = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
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
                name: "IX_FirstPartyErasureTombstones_SubjectKind_SubjectId_ErasedBefore",
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
