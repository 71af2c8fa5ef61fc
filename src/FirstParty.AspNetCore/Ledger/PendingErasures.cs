using System.Collections.Concurrent;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// Erasures queued but not yet applied to the store. A lookup made after an erasure was asked for
/// must not show the erased receipts just because the writer has not reached it yet: staff who erase
/// a person's receipts and search again see them gone, not back.
/// </summary>
internal sealed class PendingErasures(TimeSpan clockSkew)
{
    private readonly ConcurrentDictionary<LedgerOperation, byte> _operations = new(ReferenceEqualityComparer.Instance);

    public bool IsEmpty => _operations.IsEmpty;

    public void Add(LedgerOperation operation)
    {
        if (operation.Erase is not null)
        {
            _operations[operation] = 0;
        }
    }

    /// <summary>The erasure is in the store, spilled (lookups cannot see the store while it is down) or lost.</summary>
    public void Remove(LedgerOperation operation) => _operations.TryRemove(operation, out _);

    /// <summary>True when a pending erasure reaches the receipt (its subject, made before the erasure).</summary>
    public bool Hides(ConsentReceipt receipt)
    {
        foreach (var operation in _operations.Keys)
        {
            if (operation.Erase is { } subject && subject.Matches(receipt) && receipt.Timestamp < operation.QueuedAt + clockSkew)
            {
                return true;
            }
        }

        return false;
    }
}
