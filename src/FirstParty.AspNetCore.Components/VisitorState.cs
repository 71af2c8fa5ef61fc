namespace FirstParty.AspNetCore.Components;

/// <summary>
/// The visitor and session the server resolved for this request. Cascaded as
/// <c>[CascadingParameter] VisitorState? Visitor</c>: null when there is no visitor (no consent for
/// the visitor cookie, a crawler, or no FirstParty middleware).
/// </summary>
/// <param name="VisitorId">The visitor id (the first-party visitor cookie's id).</param>
/// <param name="SessionId">The session id, or null when sessions are not kept.</param>
/// <param name="SessionIndex">How many sessions this visitor has had, this one included.</param>
/// <param name="IsNewSession">Whether the session started on this request.</param>
public sealed record VisitorState(string VisitorId, string? SessionId, int SessionIndex, bool IsNewSession);
