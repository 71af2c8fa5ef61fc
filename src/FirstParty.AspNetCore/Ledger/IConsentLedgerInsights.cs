namespace FirstParty.AspNetCore;

/// <summary>
/// What the staff insights page (<c>MapFirstPartyInsights</c>) needs from a consent ledger store,
/// beside <see cref="IConsentLedger"/>: decision counts (aggregates only, no id leaves the store)
/// and a durable log of what staff did with people's receipts. The in-memory store and the EF Core
/// store implement it; a custom store that does not cannot serve the page.
/// </summary>
/// <remarks>Implementations must be thread-safe; FirstParty registers them as singletons.</remarks>
public interface IConsentLedgerInsights
{
    /// <summary>
    /// The stored receipts made from <paramref name="since"/> (inclusive) to <paramref name="until"/>
    /// (exclusive), counted by UTC day, region, policy revision and source.
    /// </summary>
    ValueTask<IReadOnlyList<ConsentAggregate>> AggregateAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Keeps a staff action durably; it is not removed by the receipts' retention purge.</summary>
    ValueTask AppendStaffActionAsync(StaffAction action, CancellationToken cancellationToken = default);

    /// <summary>The most recent staff actions, newest first.</summary>
    ValueTask<IReadOnlyList<StaffAction>> StaffActionsAsync(int limit, CancellationToken cancellationToken = default);
}

/// <summary>How many receipts one UTC day holds for one region, policy revision and source.</summary>
/// <param name="Day">The UTC day the decisions were made on.</param>
/// <param name="Region">The region, when it was known.</param>
/// <param name="Revision">The policy revision.</param>
/// <param name="Source">How the decisions were collected: accept-all, reject-all, custom, withdraw, api, gpc.</param>
/// <param name="Count">How many receipts.</param>
public sealed record ConsentAggregate(DateOnly Day, string? Region, int Revision, string Source, int Count);

/// <summary>
/// What a staff member did with a person's receipts (GDPR Art. 5(2) accountability): who, when,
/// what, and for whom, the subject kept only as a keyed hash of its id so that an erasure stays one.
/// </summary>
public sealed record StaffAction
{
    /// <summary>When (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The staff member's name claim.</summary>
    public required string Staff { get; init; }

    /// <summary>search, export, erase or pseudonymise.</summary>
    public required string Action { get; init; }

    /// <summary>Which id the subject was looked up by.</summary>
    public required ReceiptSubjectKind SubjectKind { get; init; }

    /// <summary>HMAC-SHA256 (hex) of the subject id under the site's key (<see cref="ConsentLedgerOptions.StaffActionKey"/>), never the id itself.</summary>
    public required string SubjectHash { get; init; }

    /// <summary>How many receipts the action found, exported or erased.</summary>
    public required int Count { get; init; }
}
