using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MvcSample.Controllers;
using MvcSample.Data;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The MVC sample's migrations of the ready-made ledger context, one set per provider.</summary>
public sealed class MvcSampleLedgerMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-tests", "mvc-migrations-" + Guid.NewGuid().ToString("N"));

    private string File => Path.Combine(_folder, "ledger.db");

    [Fact]
    public void The_ledger_model_has_no_change_missing_from_its_SQLite_migrations()
    {
        using var context = new SqliteLedgerDbContext(new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite("Data Source=:memory:").Options);

        Assert.Equal(3, context.Database.GetMigrations().Count());
        Assert.False(context.Database.HasPendingModelChanges(), "Run dotnet ef migrations add --context SqliteLedgerDbContext in samples/MvcSample.");
    }

    [Fact]
    public void The_ledger_model_has_no_change_missing_from_its_PostgreSQL_migrations()
    {
        using var context = new PostgreSqlLedgerDbContext(new DbContextOptionsBuilder<PostgreSqlLedgerDbContext>().UseNpgsql("Host=localhost").Options);

        Assert.Equal(3, context.Database.GetMigrations().Count());
        Assert.False(context.Database.HasPendingModelChanges(), "Run dotnet ef migrations add --context PostgreSqlLedgerDbContext in samples/MvcSample.");
    }

    [Fact]
    public async Task A_ledger_file_made_by_the_previous_version_with_EnsureCreated_is_upgraded_at_startup()
    {
        Directory.CreateDirectory(_folder);
        var options = new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite($"Data Source={File}").Options;
        await using (var old = new SqliteLedgerDbContext(options))
        {
            // The first migration is the previous version's receipts-only schema; without its history
            // it is what that version's EnsureCreated made.
            await old.GetService<IMigrator>().MigrateAsync(old.Database.GetMigrations().First());
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
            await old.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\"");
            old.ConsentReceipts.Add(new ConsentReceiptEntity
            {
                ReceiptId = "receipt-made-before-the-upgrade",
                ConsentId = "consent-before-the-upgrade",
                Timestamp = DateTime.UtcNow.AddDays(-1),
                ExpiresAt = DateTime.UtcNow.AddDays(364),
                Regime = "OptIn",
                Source = "accept-all",
                Granted = "necessary",
                Denied = "analytics",
            });
            await old.SaveChangesAsync();
        }

        SqliteConnection.ClearAllPools();
        await using (var factory = new WebApplicationFactory<HomeController>().WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:Ledger", $"Data Source={File}")
            .UseSetting("FirstParty:Ledger:SpillDirectory", Path.Combine(_folder, "spill"))))
        {
            var browser = SampleClient.Create(factory);
            await browser.ChooseAsync("accept-all", "/Home/Catalogue");

            var deadline = DateTime.UtcNow.AddSeconds(15);
            await using var db = new SqliteLedgerDbContext(options);
            while (await db.ConsentReceipts.CountAsync() < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Equal(2, await db.ConsentReceipts.CountAsync());
            Assert.NotNull(await db.ConsentReceipts.FindAsync("receipt-made-before-the-upgrade"));
            Assert.True(await db.DataProtectionKeys.CountAsync() > 0, "The key ring is kept in the new keys table.");
            Assert.Equal(0, await db.ErasureTombstones.CountAsync());
        }

        SqliteConnection.ClearAllPools();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
