using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BlazorSample.Migrations
{
    /// <inheritdoc />
    public partial class LedgerAndKeys : Migration
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
                name: "FirstPartyConsentReceipts",
                columns: table => new
                {
                    ReceiptId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ConsentId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    VisitorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Timestamp = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Revision = table.Column<int>(type: "INTEGER", nullable: false),
                    NoticeHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Regime = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Granted = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Denied = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    GlobalPrivacyControl = table.Column<bool>(type: "INTEGER", nullable: false),
                    PagePath = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    UserAgent = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    IpAddress = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FirstPartyConsentReceipts", x => x.ReceiptId);
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
                name: "IX_FirstPartyConsentReceipts_ConsentId_Timestamp",
                table: "FirstPartyConsentReceipts",
                columns: new[] { "ConsentId", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_FirstPartyConsentReceipts_Timestamp",
                table: "FirstPartyConsentReceipts",
                column: "Timestamp");

            migrationBuilder.CreateIndex(
                name: "IX_FirstPartyConsentReceipts_UserId_Timestamp",
                table: "FirstPartyConsentReceipts",
                columns: new[] { "UserId", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_FirstPartyConsentReceipts_VisitorId_Timestamp",
                table: "FirstPartyConsentReceipts",
                columns: new[] { "VisitorId", "Timestamp" });

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
                name: "FirstPartyConsentReceipts");

            migrationBuilder.DropTable(
                name: "FirstPartyErasureTombstones");
        }
    }
}
