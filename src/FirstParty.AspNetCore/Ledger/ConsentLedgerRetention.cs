using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>Deletes receipts older than <see cref="ConsentLedgerOptions.Retention"/>, once at startup and then every <see cref="ConsentLedgerOptions.PurgeInterval"/>.</summary>
internal sealed class ConsentLedgerRetention(
    IConsentLedger store,
    IOptions<FirstPartyOptions> options,
    TimeProvider time,
    FirstPartyMetrics metrics,
    ILogger<ConsentLedgerRetention> logger) : BackgroundService
{
    private readonly ConsentLedgerOptions _options = options.Value.Ledger;

    /// <summary>Purges once; returns how many receipts were deleted.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        if (_options.Retention is not { } retention)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - retention;
        var purged = await store.PurgeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        metrics.LedgerPurged(purged);
        if (purged > 0)
        {
            logger.ReceiptsPurged(purged, cutoff);
        }

        return purged;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Retention is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.PurgeInterval, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LedgerPurgeFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
