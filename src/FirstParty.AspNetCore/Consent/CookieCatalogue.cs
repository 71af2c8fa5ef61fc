using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Every declared cookie with its category: FirstParty's own, ASP.NET Core's (unless switched off)
/// and the services' of each configured category. It feeds gating, deletion and the cookie table.
/// </summary>
internal sealed class CookieCatalogue
{
    private const string Necessary = "necessary";
    private const string Preferences = "preferences";

    private readonly List<Entry> _exact = [];
    private readonly List<Entry> _patterns = [];
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);

    private ILookup<string, CookieDeclaration>? _byCategory;

    public CookieCatalogue(IOptions<FirstPartyOptions> options, ConsentPolicy policy, IEnumerable<IDeclaredService>? declaredServices = null)
    {
        var o = options.Value;
        var required = policy.Categories.First(c => c.Required).Key;

        // Configured services first: an author's declaration wins over a built-in one.
        foreach (var category in policy.Categories)
        {
            foreach (var service in category.Services ?? [])
            {
                foreach (var cookie in service.Cookies ?? [])
                {
                    Add(new Entry(category.Key, service.Key, cookie, service.Provider) { ChoiceKey = ConsentPolicy.ServiceKey(category.Key, service.Key) });
                }
            }
        }

        // The provider profiles' cookies, under their category, after the author's own declarations.
        var storage = policy.LocalStorageKeys.ToDictionary(s => s.Key, s => s.Value.ToList(), StringComparer.Ordinal);
        foreach (var profile in declaredServices ?? [])
        {
            // A service may be allowed by a configured service's grant (category/service): listed under its category.
            var slash = profile.Category.IndexOf('/', StringComparison.Ordinal);
            var category = slash < 0 ? profile.Category : profile.Category[..slash];
            foreach (var cookie in profile.Declarations)
            {
                Add(new Entry(category, profile.ServiceKey, cookie, profile.ProviderName) { ChoiceKey = profile.Category });
            }

            if (profile.StorageKeys.Any())
            {
                (storage.TryGetValue(profile.Category, out var keys) ? keys : storage[profile.Category] = []).AddRange(profile.StorageKeys);
            }
        }

        StorageKeys = storage.ToFrozenDictionary(s => s.Key, s => s.Value.Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

        Add(new Entry(required, "firstparty", new CookieDeclaration { Name = o.Consent.CookieName, Lifetime = o.Consent.AcceptLifetime, Purpose = "Stores your cookie choices." }, null));
        Add(new Entry(o.Visitor.Category, "firstparty", new CookieDeclaration { Name = o.Visitor.CookieName, Lifetime = o.Visitor.Lifetime, Purpose = "A random visitor id, first visit and visit count, for this site's analytics." }, null));
        Add(new Entry(o.Visitor.Category, "firstparty", new CookieDeclaration { Name = o.Session.CookieName, Lifetime = o.Session.Timeout, Purpose = "The current visit." }, null));

        if (o.Consent.DeclareAspNetCoreCookies)
        {
            var necessary = policy.IsKnown(Necessary) ? Necessary : required;
            var preferences = policy.IsKnown(Preferences) ? Preferences : necessary;
            foreach (var (name, purpose) in AspNetCoreNecessary)
            {
                Add(new Entry(necessary, "aspnetcore", new CookieDeclaration { Name = name, Purpose = purpose }, null));
            }

            Add(new Entry(preferences, "aspnetcore", new CookieDeclaration { Name = ".AspNetCore.Culture", Lifetime = TimeSpan.FromDays(365), Purpose = "Remembers your language." }, null));
        }
    }

    /// <summary>The ASP.NET Core cookies a site needs to work: forms, sign-in, session, TempData.</summary>
    internal static readonly (string Name, string Purpose)[] AspNetCoreNecessary =
    [
        (".AspNetCore.Antiforgery.*", "Protects forms against cross-site request forgery."),
        (".AspNetCore.Identity.Application", "Keeps you signed in."),
        (".AspNetCore.Cookies", "Keeps you signed in."),
        ("Identity.External", "Completes a sign-in with an external provider."),
        ("Identity.TwoFactorUserId", "Completes a two-factor sign-in."),
        ("Identity.TwoFactorRememberMe", "Remembers this browser for two-factor sign-in, when you ask."),
        (".AspNetCore.Session", "Keeps your session, such as a basket."),
        (".AspNetCore.Mvc.CookieTempDataProvider", "Carries a message to the next page."),
        (".AspNetCore.Correlation.*", "Completes a sign-in with an external provider."),
        (".AspNetCore.OpenIdConnect.Nonce.*", "Completes a sign-in with an external provider."),
    ];

    /// <summary>
    /// The declared browser-storage keys (the services' <c>LocalStorageKeys</c> and the provider
    /// profiles' keys) by what consent is asked for, for the consent script to clear when it is refused.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> StorageKeys { get; }

    public IReadOnlyList<Entry> Entries => [.. _exact, .. _patterns];

    /// <summary>The declarations by category, for the preferences form.</summary>
    public ILookup<string, CookieDeclaration> ByCategory => _byCategory ??= Entries
        .OrderBy(e => e.Cookie.Name, StringComparer.Ordinal)
        .ToLookup(e => e.Category, e => e.Cookie, StringComparer.Ordinal);

    /// <summary>The declaration of a cookie name, or null when it is undeclared.</summary>
    public Entry? Find(string name)
    {
        if (_byName.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.Cookie.Matches(name))
            {
                return pattern;
            }
        }

        return null;
    }

    private void Add(Entry entry)
    {
        if (entry.Cookie.IsPattern)
        {
            if (!_patterns.Any(p => p.Cookie.Name == entry.Cookie.Name))
            {
                _patterns.Add(entry);
            }
        }
        else if (_byName.TryAdd(entry.Cookie.Name, entry))
        {
            _exact.Add(entry);
        }
    }

    /// <summary>A declared cookie with the category and service it belongs to.</summary>
    internal sealed record Entry(string Category, string Service, CookieDeclaration Cookie, string? Provider)
    {
        /// <summary>What consent is asked for: <c>category/service</c> for configured services, else the category.</summary>
        public string ChoiceKey { get; init; } = Category;
    }
}
