namespace FirstParty.AspNetCore.Outbox;

/// <summary>
/// What the owner of a <see cref="DurableOutbox{T}"/> learns from it: its metrics, its log events
/// and its own bookkeeping. Called from the outbox's loop and from its callers' threads; must not throw.
/// </summary>
internal interface IOutboxObserver<T>
    where T : class, IOutboxItem
{
    /// <summary>An attempt left <paramref name="count"/> items to retry (attempt 0: a replay from the spill file).</summary>
    void DeliveryFailed(int count, int attempt, Exception? exception);

    /// <summary>The sink refused an item for good: it is dropped. Reported once per item.</summary>
    void Rejected(T item);

    /// <summary>The outbox started keeping items in the spill file at <paramref name="path"/>.</summary>
    void Spilling(string? path);

    /// <summary>Items are now in the spill file.</summary>
    void Spilled(IReadOnlyList<T> items);

    /// <summary>Neither the sink nor the spill file took these items: they are lost.</summary>
    void SpillFailed(IReadOnlyList<T> items, Exception exception);

    /// <summary>Items from the spill file were delivered or rejected (one batch).</summary>
    void Replayed(int count);

    /// <summary>A part of the spill file, up to <paramref name="count"/> items, was replayed.</summary>
    void ReplayedFromSpill(int count);

    /// <summary>A spill file left by an earlier run or a stopped process was taken over.</summary>
    void AdoptedSpillFile(string path, int count);

    /// <summary>A line of a spill file was not an item; it was moved to the <c>.rejected</c> file beside it.</summary>
    void SpillLineRejected(string path, int line);

    /// <summary>Shutting down before the sink took these items: they wait in the spill file.</summary>
    void ShutdownSpilled(int count);

    /// <summary>The outbox's loop stopped unexpectedly; from now on everything goes to the spill file.</summary>
    void LoopFailed(Exception exception);
}
