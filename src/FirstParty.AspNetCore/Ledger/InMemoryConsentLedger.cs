namespace FirstParty.AspNetCore.Ledger;

/// <summary>A bounded in-memory ledger for development and tests: the oldest receipts go first when full.</summary>
internal sealed class InMemoryConsentLedger : IConsentLedger
{
    private const int Capacity = 100_000;

    private readonly LinkedList<ConsentReceipt> _receipts = new();
    private readonly Lock _lock = new();

    public ValueTask AppendAsync(ConsentReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        lock (_lock)
        {
            _receipts.AddLast(receipt);
            if (_receipts.Count > Capacity)
            {
                _receipts.RemoveFirst();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ConsentReceipt>> GetByConsentIdAsync(string consentId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ConsentReceipt> found = [.. _receipts.Where(r => string.Equals(r.ConsentId, consentId, StringComparison.Ordinal))];
            return ValueTask.FromResult(found);
        }
    }
}
