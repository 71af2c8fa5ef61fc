using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>The per-request visitor state, and the cookies still to be written for it.</summary>
internal sealed class VisitorFeature : IVisitorFeature
{
    public VisitorFeature(HttpContext context, VisitorRecord visitor, SessionRecord? session, long now)
    {
        Context = context;
        Visitor = visitor;
        Session = session;
        Now = now;
    }

    public HttpContext Context { get; }

    public VisitorRecord Visitor { get; }

    public SessionRecord? Session { get; }

    /// <summary>The request time in Unix seconds, so every decision of the request uses one clock reading.</summary>
    public long Now { get; }

    /// <summary>
    /// This response may write cookies for the visitor (a top-level navigation that is not a
    /// crawler's, or a decision): cookies derived from it may be refreshed with it.
    /// </summary>
    public bool Writable { get; init; }

    public bool WriteVisitor { get; init; }

    public bool WriteSession { get; init; }

    public bool HasPendingWrites => WriteVisitor || WriteSession;

    public string VisitorId => Visitor.Id;

    public DateTimeOffset FirstSeen => DateTimeOffset.FromUnixTimeSeconds(Visitor.FirstSeen);

    public int SessionIndex => Session?.Index ?? Visitor.SessionCount;

    public string? SessionId => Session?.Id;

    public DateTimeOffset? SessionStart => Session is null ? null : DateTimeOffset.FromUnixTimeSeconds(Session.Start);

    public string? PreviousSessionId => Session?.PreviousId;

    public bool IsNewVisitor { get; init; }

    public bool IsNewSession { get; init; }
}
