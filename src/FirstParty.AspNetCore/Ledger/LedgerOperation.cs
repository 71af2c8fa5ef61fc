using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// One unit of work for the ledger writer, in the order it was asked for: append a receipt, or
/// erase a subject's receipts. Spill files hold these one per line.
/// </summary>
internal sealed record LedgerOperation
{
    /// <summary>A receipt to append.</summary>
    public ConsentReceipt? Append { get; init; }

    /// <summary>A subject whose receipts to erase.</summary>
    public ReceiptSubject? Erase { get; init; }

    /// <summary>How <see cref="Erase"/> erases.</summary>
    public ReceiptErasure Erasure { get; init; }

    /// <summary>When the operation was asked for; the health check reports the oldest one still pending.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>Only wakes the writer (never stored).</summary>
    [JsonIgnore]
    public bool IsWake => Append is null && Erase is null;

    public static readonly LedgerOperation Wake = new();
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LedgerOperation))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
