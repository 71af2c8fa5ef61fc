using System.Collections.Concurrent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// What the ledger writer's outbox reports becomes the ledger's own metrics and log events, and
/// keeps the receipts that lookups see as pending: a receipt stops being pending once it is in the
/// spill file (lookups cannot see it there) or lost.
/// </summary>
internal sealed class LedgerOutboxObserver(
    FirstPartyMetrics metrics,
    ILogger logger,
    ConcurrentDictionary<string, ConsentReceipt> pending,
    PendingErasures erasures) : IOutboxObserver<LedgerOperation>
{
    public void DeliveryFailed(int count, int attempt, Exception? exception)
    {
        metrics.LedgerRetried();
        logger.LedgerWriteFailed(count, attempt, exception);
    }

    public void Rejected(LedgerOperation item)
    {
        // The store never refuses an operation for good; counted as lost should one ever do.
        metrics.LedgerFailed(1);
        Forget(item);
    }

    public void Spilling(string? path) => logger.LedgerSpilling(path);

    public void Spilled(IReadOnlyList<LedgerOperation> items)
    {
        metrics.LedgerSpilled(items.Count);
        foreach (var item in items)
        {
            Forget(item);
        }
    }

    public void SpillFailed(IReadOnlyList<LedgerOperation> items, Exception exception)
    {
        // Neither the store nor the disk would take them: said loudly, never silently.
        metrics.LedgerFailed(items.Count);
        logger.ReceiptsLost(items.Count, exception);
        foreach (var item in items)
        {
            // Not kept anywhere: it must not show up as pending in anyone's history either.
            Forget(item);
        }
    }

    public void Replayed(int count) => metrics.LedgerReplayed(count);

    public void ReplayedFromSpill(int count) => logger.LedgerReplayed(count);

    public void AdoptedSpillFile(string path, int count) => logger.LedgerAdoptedSpillFile(path, count);

    public void SpillLineRejected(string path, int line) => logger.SpillLineRejected(path, line);

    public void ShutdownSpilled(int count) => logger.LedgerShutdownSpilled(count);

    public void LoopFailed(Exception exception) => logger.LedgerWriterFailed(exception);

    private void Forget(LedgerOperation item)
    {
        if (item.Append is { } receipt)
        {
            pending.TryRemove(receipt.ReceiptId, out _);
        }

        erasures.Remove(item);
    }
}
