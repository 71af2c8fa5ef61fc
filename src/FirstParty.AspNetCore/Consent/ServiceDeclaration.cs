namespace FirstParty.AspNetCore;

/// <summary>
/// A service inside a consent category (<c>FirstParty:Consent:Categories:{n}:Services:{m}</c>), for
/// example <c>snowplow</c> in <c>analytics</c> or <c>youtube</c> in <c>marketing</c>.
/// </summary>
public sealed class ServiceDeclaration
{
    /// <summary>The lowercase key, for example <c>youtube</c>.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The company that provides the service.</summary>
    public string? Provider { get; set; }

    /// <summary>The cookies the service stores.</summary>
    public IList<CookieDeclaration> Cookies { get; set; } = [];

    /// <summary>
    /// The browser-storage keys the service uses (a name ending in <c>*</c> is a prefix). On every
    /// page where the service is refused, the consent script of <c>&lt;consent-banner /&gt;</c>
    /// removes them from localStorage and sessionStorage.
    /// </summary>
    public IList<string> LocalStorageKeys { get; set; } = [];

    /// <summary>The service's title shown to visitors. Default: the built-in text for the default categories, else the key.</summary>
    public string? Title { get; set; }

    /// <summary>What the service is for, shown to visitors.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Titles and descriptions per culture (<c>fr</c>, <c>fr-CA</c>); the request's UI culture picks
    /// the closest one, falling back to <see cref="Title"/> and <see cref="Description"/>.
    /// </summary>
    public IDictionary<string, ConsentText> Translations { get; set; } = new Dictionary<string, ConsentText>(StringComparer.OrdinalIgnoreCase);
}
