namespace FirstParty.AspNetCore.Testing;

/// <summary>One page of a consent state: what the browser held after it loaded and what the page offered.</summary>
public sealed class AuditedPage
{
    /// <summary>The audited path (<c>/</c>, <c>/privacy</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The HTTP status of the page (after redirects).</summary>
    public int Status { get; init; }

    /// <summary>
    /// Without a decision: whether the banner offers "reject all" on its first layer (outside the
    /// preferences that must be opened first). Null in decided states, where no banner shows.
    /// </summary>
    public bool? RejectOnFirstLayer { get; init; }

    /// <summary>Whether the page has a control that reopens the preferences or the privacy centre, so a decision can be withdrawn.</summary>
    public bool WithdrawalReachable { get; init; }

    /// <summary>The cookies and storage the browser held after the page loaded.</summary>
    public required IReadOnlyList<AuditedItem> Items { get; init; }
}
