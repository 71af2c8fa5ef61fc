namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// A cookie or storage key the browser holds after a page loaded, with the declaration it matched
/// (category, service, provider) or none.
/// </summary>
public sealed class AuditedItem
{
    /// <summary>Where it is kept.</summary>
    public required AuditedItemKind Kind { get; init; }

    /// <summary>The cookie name, storage key or database name.</summary>
    public required string Name { get; init; }

    /// <summary>The cookie's domain (the host for a host-only cookie); null for storage.</summary>
    public string? Domain { get; init; }

    /// <summary>The cookie's path; null for storage.</summary>
    public string? Path { get; init; }

    /// <summary>How long the cookie lives from when it was set, rounded to the minute; null for a browser-session cookie or storage.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>Whether the cookie is hidden from scripts.</summary>
    public bool HttpOnly { get; init; }

    /// <summary>Whether the cookie is sent over HTTPS only.</summary>
    public bool Secure { get; init; }

    /// <summary>The cookie's SameSite (<c>Strict</c>, <c>Lax</c>, <c>None</c>), or null when not set.</summary>
    public string? SameSite { get; init; }

    /// <summary>The category of the declaration it matched, or null when undeclared.</summary>
    public string? Category { get; init; }

    /// <summary>What consent allows it (the category, or <c>category/service</c>), or null when undeclared.</summary>
    public string? ConsentKey { get; init; }

    /// <summary>The declaring service, when known.</summary>
    public string? Service { get; init; }

    /// <summary>Who sets it, when declared.</summary>
    public string? Provider { get; init; }

    /// <summary>Whether it matched a declaration.</summary>
    public bool Declared => Category is not null;

    /// <summary>How failures name it: <c>cookie '_ga'</c>, <c>localStorage key 'x'</c>.</summary>
    public override string ToString() => Kind switch
    {
        AuditedItemKind.Cookie => $"cookie '{Name}'",
        AuditedItemKind.LocalStorage => $"localStorage key '{Name}'",
        AuditedItemKind.SessionStorage => $"sessionStorage key '{Name}'",
        _ => $"IndexedDB database '{Name}'",
    };
}
