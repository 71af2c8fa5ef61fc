namespace FirstParty.AspNetCore.Outbox;

/// <summary>Something a <see cref="DurableOutbox{T}"/> carries to its sink.</summary>
internal interface IOutboxItem
{
    /// <summary>When the item was asked for; the outbox reports the age of the oldest one not yet delivered.</summary>
    DateTimeOffset QueuedAt { get; }
}
