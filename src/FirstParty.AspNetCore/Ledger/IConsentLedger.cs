namespace FirstParty.AspNetCore;

/// <summary>
/// Keeps the receipts of consent decisions. The default store keeps them in memory (lost on
/// restart); register a durable store for production.
/// </summary>
public interface IConsentLedger
{
    /// <summary>Records a receipt.</summary>
    ValueTask AppendAsync(ConsentReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>The receipts of one consent id, oldest first.</summary>
    ValueTask<IReadOnlyList<ConsentReceipt>> GetByConsentIdAsync(string consentId, CancellationToken cancellationToken = default);
}
