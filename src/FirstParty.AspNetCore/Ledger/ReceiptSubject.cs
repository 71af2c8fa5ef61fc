namespace FirstParty.AspNetCore;

/// <summary>What a receipt is looked up or erased by.</summary>
public enum ReceiptSubjectKind
{
    /// <summary>The consent id of one browser.</summary>
    Consent,

    /// <summary>The visitor id of one browser.</summary>
    Visitor,

    /// <summary>The user id of one signed-in person, across browsers.</summary>
    User,
}

/// <summary>The person or browser whose receipts are exported or erased.</summary>
/// <param name="Kind">Which id <paramref name="Id"/> is.</param>
/// <param name="Id">The consent, visitor or user id.</param>
public readonly record struct ReceiptSubject(ReceiptSubjectKind Kind, string Id)
{
    /// <summary>The receipts of one consent id.</summary>
    public static ReceiptSubject Consent(string consentId) => new(ReceiptSubjectKind.Consent, consentId);

    /// <summary>The receipts of one visitor id.</summary>
    public static ReceiptSubject Visitor(string visitorId) => new(ReceiptSubjectKind.Visitor, visitorId);

    /// <summary>The receipts of one user id.</summary>
    public static ReceiptSubject User(string userId) => new(ReceiptSubjectKind.User, userId);

    /// <summary>True when a receipt belongs to this subject.</summary>
    public bool Matches(ConsentReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var value = Kind switch
        {
            ReceiptSubjectKind.Consent => receipt.ConsentId,
            ReceiptSubjectKind.Visitor => receipt.VisitorId,
            _ => receipt.UserId,
        };
        return string.Equals(value, Id, StringComparison.Ordinal);
    }
}
