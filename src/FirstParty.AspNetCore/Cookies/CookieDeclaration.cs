namespace FirstParty.AspNetCore;

/// <summary>
/// A cookie a service stores (<c>FirstParty:Consent:Categories:{n}:Services:{m}:Cookies:{k}</c>): what
/// gating, deletion and the cookie table know about it.
/// </summary>
public sealed class CookieDeclaration
{
    /// <summary>The cookie name, or a prefix pattern ending in <c>*</c> (<c>_ga_*</c>, <c>.AspNetCore.Antiforgery.*</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The Domain the cookie is set on, when not the site's own host or cookie domain.</summary>
    public string? Domain { get; set; }

    /// <summary>The cookie path. Default <c>/</c>.</summary>
    public string Path { get; set; } = "/";

    /// <summary>How long the cookie lives; null for a browser-session cookie.</summary>
    public TimeSpan? Lifetime { get; set; }

    /// <summary>What the cookie is for, in a sentence a visitor understands.</summary>
    public string? Purpose { get; set; }

    /// <summary>Who sets it, when not the service's provider.</summary>
    public string? Provider { get; set; }

    internal bool IsPattern => Name.EndsWith('*');

    internal bool Matches(string cookieName)
        => IsPattern
            ? cookieName.StartsWith(Name.AsSpan(0, Name.Length - 1), StringComparison.Ordinal)
            : string.Equals(Name, cookieName, StringComparison.Ordinal);
}
