namespace FirstParty.AspNetCore;

/// <summary>
/// Callbacks FirstParty raises while it handles a request. They run before the endpoint, on the
/// request that mints the visitor or starts the session.
/// </summary>
public sealed class FirstPartyEvents
{
    /// <summary>Raised when a request gets a newly minted visitor id.</summary>
    public Func<VisitorEventContext, Task>? OnNewVisitor { get; set; }

    /// <summary>Raised when a request starts a new session (a new visitor's first session included).</summary>
    public Func<VisitorEventContext, Task>? OnNewSession { get; set; }

    /// <summary>
    /// Raised after a decision is recorded (endpoints, <see cref="IConsentService"/>), with the
    /// categories before and after; for example to store a signed-in user's choice.
    /// </summary>
    public Func<ConsentChangedContext, Task>? OnConsentChanged { get; set; }
}
