namespace FirstParty.AspNetCore.Outbox;

/// <summary>Where a <see cref="DurableOutbox{T}"/> delivers its items (a store, an upstream).</summary>
internal interface IOutboxSink<T>
    where T : class, IOutboxItem
{
    /// <summary>
    /// Delivers a batch, oldest first, and fills <paramref name="outcomes"/>[i] for
    /// <paramref name="batch"/>[i]; every outcome starts as <see cref="DeliveryOutcome.Retry"/>.
    /// Throwing leaves every item not yet marked to be retried.
    /// </summary>
    Task DeliverAsync(IReadOnlyList<T> batch, DeliveryOutcome[] outcomes, CancellationToken cancellationToken);
}
