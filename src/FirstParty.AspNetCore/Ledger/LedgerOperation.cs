using System.Text.Json.Serialization;
using FirstParty.AspNetCore.Outbox;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// One unit of work for the ledger writer, in the order it was asked for: append a receipt, or
/// erase a subject's receipts. Spill files hold these one per line.
/// </summary>
internal sealed record LedgerOperation : IOutboxItem
{
    /// <summary>A receipt to append.</summary>
    public ConsentReceipt? Append { get; init; }

    /// <summary>A subject whose receipts to erase.</summary>
    public ReceiptSubject? Erase { get; init; }

    /// <summary>How <see cref="Erase"/> erases.</summary>
    public ReceiptErasure Erasure { get; init; }

    /// <summary>When the operation was asked for; the health check reports the oldest one still pending.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>Neither an append nor an erasure (an empty line of JSON, or a wake-up of the earlier writer).</summary>
    [JsonIgnore]
    public bool IsWake => Append is null && Erase is null;

    /// <summary>Whether an operation read back from a spill file can be written: one thing to do, and a receipt with its ids.</summary>
    public static bool IsValid(LedgerOperation operation)
        => !operation.IsWake && (operation.Append is not { } receipt || (receipt.ReceiptId is not null && receipt.ConsentId is not null));
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LedgerOperation))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
