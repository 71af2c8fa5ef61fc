namespace FirstParty.AspNetCore;

/// <summary>
/// What the server knows about the browser making the request: its first-party visitor id and
/// current session. Read it with <c>HttpContext.GetVisitor()</c>.
/// </summary>
/// <remarks>
/// The feature is absent (<c>GetVisitor()</c> returns null) when the request carries no valid
/// visitor cookie and may not mint one: a request that is not a top-level navigation, a crawler,
/// an endpoint marked with <see cref="DisableVisitorCookiesAttribute"/>, or a visitor whose consent
/// does not allow the visitor cookie.
/// </remarks>
public interface IVisitorFeature
{
    /// <summary>The visitor id: a lowercase UUID v4, stable for the life of the visitor cookie.</summary>
    string VisitorId { get; }

    /// <summary>When the visitor was first seen.</summary>
    DateTimeOffset FirstSeen { get; }

    /// <summary>
    /// The 1-based index of the current session among this visitor's sessions, or of the last
    /// session when <see cref="SessionId"/> is null.
    /// </summary>
    int SessionIndex { get; }

    /// <summary>
    /// The current session id (a lowercase UUID v4), or null when the last session has timed out and
    /// this request may not start a new one (it is not a top-level navigation).
    /// </summary>
    string? SessionId { get; }

    /// <summary>When the current session started, or null when <see cref="SessionId"/> is null.</summary>
    DateTimeOffset? SessionStart { get; }

    /// <summary>The id of the session before the current one, if any.</summary>
    string? PreviousSessionId { get; }

    /// <summary>True when the visitor id was minted on this request.</summary>
    bool IsNewVisitor { get; }

    /// <summary>True when the session started on this request.</summary>
    bool IsNewSession { get; }
}
