namespace FirstParty.AspNetCore.Ledger;

/// <summary>What <see cref="ReceiptErasure.Pseudonymise"/> keeps of a receipt.</summary>
internal static class ReceiptPseudonyms
{
    public static ConsentReceipt Apply(ConsentReceipt receipt, string pseudonymousConsentId) => receipt with
    {
        ConsentId = pseudonymousConsentId,
        VisitorId = null,
        UserId = null,
        PagePath = null,
        UserAgent = null,
        IpAddress = null,
    };
}
