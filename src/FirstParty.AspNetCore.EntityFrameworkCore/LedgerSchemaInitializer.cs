using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// Creates the ledger's database at startup when <see cref="EntityFrameworkCoreLedgerOptions.EnsureCreated"/>
/// is set, or applies its migrations when <see cref="EntityFrameworkCoreLedgerOptions.MigrateAtStartup"/> is
/// (the embedded SQLite file exists as soon as the app runs). A database that is down at
/// startup does not stop the app: receipts wait in the spill file and the store tries again.
/// </summary>
internal sealed partial class LedgerSchemaInitializer<TContext>(EntityFrameworkCoreConsentLedger<TContext> store, ILogger<LedgerSchemaInitializer<TContext>> logger) : IHostedService
    where TContext : DbContext, IConsentLedgerDbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSchemaNotCreated(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(101, LogLevel.Error, "The consent ledger's database could not be created or migrated at startup; receipts are kept in the spill file until it can be.", EventName = "LedgerSchemaNotCreated")]
    private static partial void LogSchemaNotCreated(ILogger logger, Exception exception);
}
