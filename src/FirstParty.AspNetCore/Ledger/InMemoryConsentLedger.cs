using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// A bounded in-memory ledger for development and tests: the oldest receipts go first when full.
/// It keeps erasure tombstones by the same rules as a durable store, so it erases late receipts too.
/// </summary>
internal sealed class InMemoryConsentLedger : IConsentLedger, IConsentLedgerInsights
{
    private const int Capacity = 100_000;
    private const int StaffActionCapacity = 10_000;

    private readonly LinkedList<ConsentReceipt> _receipts = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<ReceiptSubject, List<(DateTimeOffset ErasedBefore, ReceiptErasure Erasure)>> _tombstones = [];
    private readonly LinkedList<StaffAction> _staffActions = new();
    private readonly Lock _lock = new();

    /// <summary>Tombstones held (for tests).</summary>
    internal int TombstoneCount
    {
        get
        {
            lock (_lock)
            {
                return _tombstones.Values.Sum(t => t.Count);
            }
        }
    }

    public ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        lock (_lock)
        {
            Dictionary<string, string>? pseudonyms = null;
            foreach (var original in receipts)
            {
                if (_ids.Contains(original.ReceiptId))
                {
                    continue;
                }

                var receipt = original;
                if (_tombstones.Count > 0)
                {
                    var erasure = ErasureOf(receipt);
                    if (erasure == ReceiptErasure.Delete)
                    {
                        continue;
                    }

                    if (erasure == ReceiptErasure.Pseudonymise)
                    {
                        pseudonyms ??= new Dictionary<string, string>(StringComparer.Ordinal);
                        if (!pseudonyms.TryGetValue(receipt.ConsentId, out var pseudonym))
                        {
                            pseudonyms[receipt.ConsentId] = pseudonym = RandomIds.NewUuid();
                        }

                        receipt = ReceiptPseudonyms.Apply(receipt, pseudonym);
                    }
                }

                _ids.Add(receipt.ReceiptId);
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

    public ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_tombstones.TryGetValue(subject, out var tombstones))
            {
                _tombstones[subject] = tombstones = [];
            }

            tombstones.Add((erasedBefore, erasure));

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

            foreach (var (subject, tombstones) in _tombstones.ToList())
            {
                tombstones.RemoveAll(t => t.ErasedBefore < cutoff);
                if (tombstones.Count == 0)
                {
                    _tombstones.Remove(subject);
                }
            }

            return ValueTask.FromResult(purged);
        }
    }

    /// <summary>
    /// How a receipt arriving now is erased: Delete when a tombstone made after it says so (deletion
    /// wins over pseudonymisation), Pseudonymise when only such tombstones match, else null.
    /// </summary>
    private ReceiptErasure? ErasureOf(ConsentReceipt receipt)
    {
        ReceiptErasure? result = null;
        foreach (var subject in (ReadOnlySpan<ReceiptSubject>)[ReceiptSubject.Consent(receipt.ConsentId), ReceiptSubject.Visitor(receipt.VisitorId!), ReceiptSubject.User(receipt.UserId!)])
        {
            if (subject.Id is null || !_tombstones.TryGetValue(subject, out var tombstones))
            {
                continue;
            }

            foreach (var (erasedBefore, erasure) in tombstones)
            {
                if (receipt.Timestamp < erasedBefore)
                {
                    if (erasure == ReceiptErasure.Delete)
                    {
                        return ReceiptErasure.Delete;
                    }

                    result = erasure;
                }
            }
        }

        return result;
    }

    public ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask<IReadOnlyList<ConsentAggregate>> AggregateAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ConsentAggregate> aggregates =
            [
                .. _receipts
                    .Where(r => r.Timestamp >= since && r.Timestamp < until)
                    .GroupBy(r => (Day: DateOnly.FromDateTime(r.Timestamp.UtcDateTime), r.Region, r.Revision, r.Source))
                    .Select(g => new ConsentAggregate(g.Key.Day, g.Key.Region, g.Key.Revision, g.Key.Source, g.Count()))
                    .OrderBy(a => a.Day).ThenBy(a => a.Region, StringComparer.Ordinal).ThenBy(a => a.Revision).ThenBy(a => a.Source, StringComparer.Ordinal),
            ];
            return ValueTask.FromResult(aggregates);
        }
    }

    public ValueTask AppendStaffActionAsync(StaffAction action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            _staffActions.AddFirst(action);
            if (_staffActions.Count > StaffActionCapacity)
            {
                _staffActions.RemoveLast();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<StaffAction>> StaffActionsAsync(int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<StaffAction> actions = [.. _staffActions.OrderByDescending(a => a.Timestamp).Take(limit)];
            return ValueTask.FromResult(actions);
        }
    }
}
