namespace FirstParty.AspNetCore.Testing;

/// <summary>The JSON state of <c>GET /_fp/consent</c>, for assertions.</summary>
/// <param name="Decided">A current decision exists.</param>
/// <param name="ConsentId">The consent id, or null before any decision.</param>
/// <param name="Revision">The policy revision.</param>
/// <param name="Regime">OptIn, OptOut or Implied.</param>
/// <param name="Region">The region, when known.</param>
/// <param name="Gpc">Whether an opt-out signal was honoured.</param>
/// <param name="DecidedAt">When the decision was made.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="Source">How it was made.</param>
/// <param name="Categories">Each category and whether it is granted.</param>
/// <param name="Visitor">The visitor, or null when consent does not allow the visitor cookie.</param>
public sealed record ConsentState(
    bool Decided,
    string? ConsentId,
    int Revision,
    string Regime,
    string? Region,
    bool Gpc,
    DateTimeOffset? DecidedAt,
    DateTimeOffset? ExpiresAt,
    string? Source,
    IReadOnlyDictionary<string, bool> Categories,
    VisitorState? Visitor);

/// <summary>The visitor part of <see cref="ConsentState"/>.</summary>
/// <param name="Id">The visitor id.</param>
/// <param name="SessionId">The session id.</param>
/// <param name="SessionIndex">The session's index.</param>
/// <param name="NewSession">Whether the session started on that request.</param>
public sealed record VisitorState(string Id, string? SessionId, int SessionIndex, bool NewSession);
