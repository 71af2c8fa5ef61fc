namespace FirstParty.AspNetCore.Outbox;

/// <summary>How one <see cref="DurableOutbox{T}"/> queues, batches, retries and spills.</summary>
internal sealed record OutboxSettings
{
    /// <summary>Names the outbox in logs and traces ("ledger", "collector-snowplow", …).</summary>
    public required string Name { get; init; }

    /// <summary>The absolute folder of the spill files; outboxes must not share one.</summary>
    public required string SpillDirectory { get; init; }

    /// <summary>Items held in memory before new ones go to the spill file.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Most items handed to the sink at once.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>
    /// How long the loop lets items gather, once the first arrives on an idle queue, before it takes a
    /// batch: items that come close together then go to the sink together, and the loop wakes once
    /// for them instead of once each. Not waited when a full batch is already queued, nor on
    /// shutdown. Zero (the default) takes each item as soon as it arrives.
    /// </summary>
    public TimeSpan BatchDelay { get; init; }

    /// <summary>The first wait after a failed delivery; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed attempts before a batch and the queue behind it are moved to the spill file.</summary>
    public int AttemptsBeforeSpill { get; init; } = 3;
}
