namespace FirstParty.AspNetCore.Outbox;

/// <summary>What became of one item of a batch handed to an <see cref="IOutboxSink{T}"/>.</summary>
internal enum DeliveryOutcome : byte
{
    /// <summary>Not delivered yet: tried again, before anything newer.</summary>
    Retry = 0,

    /// <summary>The sink has it.</summary>
    Delivered,

    /// <summary>The sink will never take it: dropped and reported to the observer, never retried.</summary>
    Rejected,
}
