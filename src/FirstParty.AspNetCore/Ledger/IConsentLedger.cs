namespace FirstParty.AspNetCore;

/// <summary>
/// A durable store of consent receipts. FirstParty never calls it on a request's critical path: a
/// background writer batches appends, retries, spills to a local file while the store is down and
/// replays the file on recovery (see <see cref="ConsentLedgerOptions"/>). The default store keeps
/// receipts in memory (lost on restart); add a durable one, for example with
/// <c>AddEntityFrameworkCoreLedger&lt;TContext&gt;()</c>.
/// </summary>
/// <remarks>Implementations must be thread-safe; FirstParty registers them as singletons.</remarks>
public interface IConsentLedger
{
    /// <summary>
    /// Stores receipts durably. A receipt whose <see cref="ConsentReceipt.ReceiptId"/> is already
    /// stored is skipped, so a batch retried after an unknown outcome is never written twice.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default);

    /// <summary>The receipts of a subject, oldest first.</summary>
    ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default);

    /// <summary>Erases the receipts of a subject; returns how many were erased.</summary>
    ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, CancellationToken cancellationToken = default);

    /// <summary>Deletes the receipts made before <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>True when the store answers (for the health check).</summary>
    ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default);
}
