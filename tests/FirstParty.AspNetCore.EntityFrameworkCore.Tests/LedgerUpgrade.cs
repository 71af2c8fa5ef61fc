using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RazorPagesSample.Data;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// An upgrade of the sample: its database was made by the previous version (the receipts table only,
/// with a receipt in it), and the new version must add the tombstone and key tables at startup,
/// keep the receipt and work.
/// </summary>
internal static class LedgerUpgrade
{
    private const string OldReceiptId = "receipt-made-before-the-upgrade";

    /// <summary>
    /// Makes the previous version's schema by applying only the first migration, generated from that
    /// version's model. Without history it is what that version's EnsureCreated left behind.
    /// </summary>
    public static async Task CreatePreviousSchemaAsync(SampleDbContext old, bool withHistory)
    {
        var first = old.Database.GetMigrations().First();
        await old.GetService<IMigrator>().MigrateAsync(first);
        if (!withHistory)
        {
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
            await old.Database.ExecuteSqlRawAsync("DROP TABLE IF EXISTS \"__EFMigrationsLock\"");
        }

        old.ConsentReceipts.Add(new ConsentReceiptEntity
        {
            ReceiptId = OldReceiptId,
            ConsentId = "consent-before-the-upgrade",
            Timestamp = DateTime.UtcNow.AddDays(-1),
            ExpiresAt = DateTime.UtcNow.AddDays(364),
            Revision = 1,
            Regime = "OptIn",
            Source = "accept-all",
            Granted = "necessary analytics",
            Denied = string.Empty,
        });
        await old.SaveChangesAsync();

        // The upgrade has something to do: the tables of the second migration are missing.
        await Assert.ThrowsAnyAsync<DbException>(() => old.ErasureTombstones.CountAsync());
        await Assert.ThrowsAnyAsync<DbException>(() => old.DataProtectionKeys.CountAsync());
    }

    public static async Task The_sample_upgrades_it_and_keeps_its_receipts(string provider, string connectionString, string folder, bool withHistory)
    {
        var logs = new CapturedLogs();
        await using var factory = SampleHost.Create(provider, connectionString, folder, configure: b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var host = SampleHost.Client(factory);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.NotNull(await db.ConsentReceipts.FindAsync(OldReceiptId));
        }

        // A database without history was adopted (its first migration marked as applied), and logged once.
        var adopted = logs.Events.Where(e => e.Id.Id == 104 && e.Id.Name == "LedgerDatabaseBaselined").ToList();
        if (withHistory)
        {
            Assert.Empty(adopted);
        }
        else
        {
            var line = Assert.Single(adopted);
            Assert.Equal(LogLevel.Warning, line.Level);
        }

        Assert.Single(logs.Events, e => e.Id.Id == 105 && e.Id.Name == "LedgerMigrationsApplied");

        var browser = new SampleBrowser();
        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "accept-all"));
        var consentId = (await browser.StateAsync(host)).GetProperty("consentId").GetString()!;
        await SampleHost.EventuallyAsync(async () => await CountAsync(factory, db => db.ConsentReceipts.CountAsync(r => r.ConsentId == consentId)) == 1, "the decision's receipt is in the upgraded database");
        Assert.True(await CountAsync(factory, db => db.DataProtectionKeys.CountAsync()) > 0, "The key ring is kept in the new keys table.");

        Assert.Equal(HttpStatusCode.SeeOther, await browser.ForgetAsync(host));
        await SampleHost.EventuallyAsync(
            async () => await CountAsync(factory, db => db.ErasureTombstones.CountAsync(t => t.SubjectId == consentId)) > 0
                && await CountAsync(factory, db => db.ConsentReceipts.CountAsync(r => r.ConsentId == consentId)) == 0,
            "the forget leaves a tombstone in the new table and erases the receipt");
        Assert.Equal(1, await CountAsync(factory, db => db.ConsentReceipts.CountAsync(r => r.ReceiptId == OldReceiptId)));
    }

    private static async Task<int> CountAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<RazorPagesSample.Pages.IndexModel> factory, Func<SampleDbContext, Task<int>> count)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await count(scope.ServiceProvider.GetRequiredService<SampleDbContext>());
    }
}
