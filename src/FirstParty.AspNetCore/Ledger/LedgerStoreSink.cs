using System.Collections.Concurrent;
using System.Diagnostics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// The ledger writer's outbox delivers into the store: consecutive appends in one call, each
/// erasure on its own after the appends asked for before it. Each operation is marked delivered as
/// soon as the store has it, so a failure part-way retries only what follows.
/// </summary>
internal sealed class LedgerStoreSink(
    IConsentLedger store,
    ConsentLedgerOptions options,
    FirstPartyMetrics metrics,
    ILogger logger,
    ConcurrentDictionary<string, ConsentReceipt> pending,
    PendingErasures erasures) : IOutboxSink<LedgerOperation>
{
    public async Task DeliverAsync(IReadOnlyList<LedgerOperation> batch, DeliveryOutcome[] outcomes, CancellationToken cancellationToken)
    {
        using var activity = FirstPartyActivities.Source.StartActivity(FirstPartyActivities.LedgerWrite, ActivityKind.Client);
        activity?.SetTag("firstparty.ledger.operations", batch.Count);
        try
        {
            await ApplyAsync(batch, outcomes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FirstPartyActivities.Failed(activity, ex);
            throw;
        }
    }

    private async Task ApplyAsync(IReadOnlyList<LedgerOperation> batch, DeliveryOutcome[] outcomes, CancellationToken token)
    {
        var appendsFrom = -1;
        for (var i = 0; i < batch.Count; i++)
        {
            var operation = batch[i];
            if (operation.Append is not null)
            {
                if (appendsFrom < 0)
                {
                    appendsFrom = i;
                }

                continue;
            }

            if (appendsFrom >= 0)
            {
                await AppendAsync(batch, outcomes, appendsFrom, i, token).ConfigureAwait(false);
                appendsFrom = -1;
            }

            if (operation.Erase is { } subject)
            {
                // The tombstone reaches receipts made on instances whose clocks run ahead of this one.
                var erased = await store.EraseAsync(subject, operation.Erasure, operation.QueuedAt + options.ErasureClockSkew, token).ConfigureAwait(false);
                metrics.LedgerErased(erased);
                logger.ReceiptsErased(subject.Kind.ToString(), erased, operation.Erasure.ToString());
                erasures.Remove(operation);
            }

            outcomes[i] = DeliveryOutcome.Delivered;
        }

        if (appendsFrom >= 0)
        {
            await AppendAsync(batch, outcomes, appendsFrom, batch.Count, token).ConfigureAwait(false);
        }
    }

    private async Task AppendAsync(IReadOnlyList<LedgerOperation> batch, DeliveryOutcome[] outcomes, int from, int to, CancellationToken token)
    {
        var receipts = new List<ConsentReceipt>(to - from);
        for (var i = from; i < to; i++)
        {
            receipts.Add(batch[i].Append!);
        }

        await store.AppendAsync(receipts, token).ConfigureAwait(false);
        metrics.LedgerWritten(receipts.Count);
        for (var i = from; i < to; i++)
        {
            outcomes[i] = DeliveryOutcome.Delivered;
            pending.TryRemove(batch[i].Append!.ReceiptId, out _);
        }

        // A receipt that reaches the store after its subject's erasure (from this instance's spill
        // file, after a restart, or while another instance erased) is erased by the store itself
        // against the erasure's tombstone: no memory here could know another instance's erasures.
    }
}
