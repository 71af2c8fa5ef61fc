using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>A bounded in-memory ledger for development and tests: the oldest receipts go first when full.</summary>
internal sealed class InMemoryConsentLedger : IConsentLedger
{
    private const int Capacity = 100_000;

    private readonly LinkedList<ConsentReceipt> _receipts = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        lock (_lock)
        {
            foreach (var receipt in receipts)
            {
                if (!_ids.Add(receipt.ReceiptId))
                {
                    continue;
                }

                _receipts.AddLast(receipt);
                if (_receipts.Count > Capacity)
                {
                    _ids.Remove(_receipts.First!.Value.ReceiptId);
                    _receipts.RemoveFirst();
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ConsentReceipt> found = [.. _receipts.Where(subject.Matches).OrderBy(r => r.Timestamp)];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var pseudonyms = new Dictionary<string, string>(StringComparer.Ordinal);
            var erased = 0;
            for (var node = _receipts.First; node is not null;)
            {
                var next = node.Next;
                if (subject.Matches(node.Value))
                {
                    erased++;
                    if (erasure == ReceiptErasure.Delete)
                    {
                        _ids.Remove(node.Value.ReceiptId);
                        _receipts.Remove(node);
                    }
                    else
                    {
                        var receipt = node.Value;
                        if (!pseudonyms.TryGetValue(receipt.ConsentId, out var pseudonym))
                        {
                            pseudonyms[receipt.ConsentId] = pseudonym = RandomIds.NewUuid();
                        }

                        node.Value = ReceiptPseudonyms.Apply(receipt, pseudonym);
                    }
                }

                node = next;
            }

            return ValueTask.FromResult(erased);
        }
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var purged = 0;
            for (var node = _receipts.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Timestamp < cutoff)
                {
                    _ids.Remove(node.Value.ReceiptId);
                    _receipts.Remove(node);
                    purged++;
                }

                node = next;
            }

            return ValueTask.FromResult(purged);
        }
    }

    public ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);
}
