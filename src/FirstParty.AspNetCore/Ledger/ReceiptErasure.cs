namespace FirstParty.AspNetCore;

/// <summary>How receipts are erased.</summary>
public enum ReceiptErasure
{
    /// <summary>The receipts are deleted.</summary>
    Delete,

    /// <summary>
    /// The receipts stay as proof that a decision was made, but lose everything that points to a
    /// person: the consent id is replaced by a new random one (the same one for every receipt that
    /// shared it), and visitor id, user id, page, user agent and address are cleared.
    /// </summary>
    Pseudonymise,
}
