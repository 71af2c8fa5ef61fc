namespace FirstParty.AspNetCore;

/// <summary>
/// What the site declares it stores in the browser: the cookies of the configured services, the
/// provider profiles, FirstParty's own and ASP.NET Core's, and the browser-storage keys, each with
/// the consent it needs. It is the catalogue the cookie table lists and the cookie gate enforces,
/// read-only, for audits (<c>FirstParty.AspNetCore.Testing</c>) and custom policy pages.
/// </summary>
public interface ICookieDeclarations
{
    /// <summary>The keys of the required categories, granted without any decision.</summary>
    IReadOnlyList<string> RequiredCategories { get; }

    /// <summary>Every declared cookie, exact names before prefix patterns (names ending in <c>*</c>).</summary>
    IReadOnlyList<DeclaredCookie> Cookies { get; }

    /// <summary>
    /// The declared browser-storage keys (localStorage and sessionStorage; a key ending in <c>*</c> is
    /// a prefix) by the consent they need: a category, or a service as <c>category/service</c>.
    /// </summary>
    IReadOnlyDictionary<string, IReadOnlyList<string>> StorageKeys { get; }

    /// <summary>
    /// The declaration a cookie name matches, as the cookie gate finds it (an exact name first, then
    /// the first matching prefix pattern), or null when the cookie is undeclared.
    /// </summary>
    DeclaredCookie? FindCookie(string name);
}
