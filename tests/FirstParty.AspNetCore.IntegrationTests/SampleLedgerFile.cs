using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Reads a sample's SQLite ledger file with a DbContext of its own, apart from the host: what is
/// found there was written by the ledger writer, not answered from its in-memory queue.
/// </summary>
internal static class SampleLedgerFile
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Waits until the writer has flushed <paramref name="count"/> receipts of the consent to the file.</summary>
    public static async Task<IReadOnlyList<ConsentReceiptEntity>> ReceiptsAsync<TContext>(
        string ledgerFile, Func<DbContextOptions<TContext>, TContext> create, string consentId, int count = 1)
        where TContext : DbContext, IConsentLedgerDbContext
    {
        var options = new DbContextOptionsBuilder<TContext>().UseSqlite($"Data Source={ledgerFile};Mode=ReadOnly;Pooling=False").Options;
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using var db = create(options);
            var receipts = await db.ConsentReceipts.AsNoTracking().Where(r => r.ConsentId == consentId).ToListAsync();
            if (receipts.Count >= count || DateTime.UtcNow > deadline)
            {
                return receipts;
            }

            await Task.Delay(50);
        }
    }
}
