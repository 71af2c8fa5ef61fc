namespace FirstParty.AspNetCore;

/// <summary>
/// Options for the session cookie (<c>FirstParty:Session</c>).
/// </summary>
public sealed class VisitorSessionOptions
{
    /// <summary>Cookie name. Default <c>_fp_ses</c>.</summary>
    public string CookieName { get; set; } = "_fp_ses";

    /// <summary>Inactivity after which the next navigation starts a new session. Default 30 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often an ongoing session's cookie is re-sent to slide its expiry. Default one minute; must
    /// be shorter than <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}
