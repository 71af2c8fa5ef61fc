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
    /// A receipt made before an erasure of its consent, visitor or user id (its
    /// <see cref="ConsentReceipt.Timestamp"/> is earlier than that erasure's tombstone) is erased on
    /// arrival the way the tombstone says: dropped, or stored pseudonymised. This holds whichever
    /// instance erased and whenever the receipt arrives (a retry, a spill file replayed after a
    /// restart), so checking the tombstones and storing must not interleave with an erasure.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default);

    /// <summary>The receipts of a subject, oldest first.</summary>
    ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases every stored receipt of a subject and, atomically with it, records a tombstone
    /// (subject, <paramref name="erasedBefore"/>, <paramref name="erasure"/>) that
    /// <see cref="AppendAsync"/> applies to receipts of the subject made before
    /// <paramref name="erasedBefore"/> that arrive later. Returns how many stored receipts were erased.
    /// </summary>
    /// <param name="subject">Whose receipts.</param>
    /// <param name="erasure">Delete them, or keep them pseudonymised.</param>
    /// <param name="erasedBefore">
    /// Receipts made before this time count as erased when they arrive later. Pass the time of the
    /// erasure plus how far the clocks of the instances that make receipts may run ahead of this
    /// one's (FirstParty's writer adds <see cref="ConsentLedgerOptions.ErasureClockSkew"/>).
    /// </param>
    /// <param name="cancellationToken">Cancels the erasure (then nothing is erased).</param>
    ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the receipts made before <paramref name="cutoff"/>, and the tombstones of erasures
    /// that only reach receipts made before it; returns how many receipts.
    /// </summary>
    ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>True when the store answers (for the health check).</summary>
    ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default);
}
