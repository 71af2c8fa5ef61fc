using System.Collections.Frozen;

namespace FirstParty.AspNetCore.Consent;

/// <summary>The public, read-only view of the <see cref="CookieCatalogue"/>; built once, off the request path.</summary>
internal sealed class CookieDeclarations : ICookieDeclarations
{
    private readonly CookieCatalogue _catalogue;
    private readonly Dictionary<CookieCatalogue.Entry, DeclaredCookie> _views;

    public CookieDeclarations(CookieCatalogue catalogue, ConsentPolicy policy)
    {
        _catalogue = catalogue;
        _views = catalogue.Entries.ToDictionary(
            e => e,
            e => new DeclaredCookie(e.Category, e.Service, e.Cookie.Provider ?? e.Provider, e.ChoiceKey, e.Cookie));
        Cookies = [.. catalogue.Entries.Select(e => _views[e])];
        RequiredCategories = [.. policy.Categories.Where(c => c.Required).Select(c => c.Key)];
        StorageKeys = catalogue.StorageKeys.ToFrozenDictionary(s => s.Key, s => (IReadOnlyList<string>)s.Value, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> RequiredCategories { get; }

    public IReadOnlyList<DeclaredCookie> Cookies { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> StorageKeys { get; }

    public DeclaredCookie? FindCookie(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _catalogue.Find(name) is { } entry ? _views[entry] : null;
    }
}
