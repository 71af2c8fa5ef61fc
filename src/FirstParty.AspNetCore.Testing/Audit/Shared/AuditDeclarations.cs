using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// Matches what a browser holds against the app's declarations, as the cookie gate and the consent
/// script do. Compiled into the Testing package and its Playwright package alike (linked source), so
/// neither opens internals to the other.
/// </summary>
internal sealed class AuditDeclarations
{
    private readonly ICookieDeclarations _declarations;

    public AuditDeclarations(IServiceProvider services)
    {
        _declarations = services.GetRequiredService<ICookieDeclarations>();
    }

    public IReadOnlyList<string> RequiredCategories => _declarations.RequiredCategories;

    public AuditedItem Cookie(string name, string domain, string path, TimeSpan? lifetime, bool httpOnly, bool secure, string? sameSite)
    {
        var declared = _declarations.FindCookie(name);
        return new AuditedItem
        {
            Kind = AuditedItemKind.Cookie,
            Name = name,
            Domain = domain,
            Path = path,
            Lifetime = lifetime is { } l ? TimeSpan.FromMinutes(Math.Round(l.TotalMinutes)) : null,
            HttpOnly = httpOnly,
            Secure = secure,
            SameSite = sameSite,
            Category = declared?.Category,
            ConsentKey = declared?.ConsentKey,
            Service = declared?.Service,
            Provider = declared?.Provider,
        };
    }

    /// <summary>
    /// A storage key or database name: declared when a service lists it among its storage keys (a
    /// key ending in <c>*</c> is a prefix), under that service's consent.
    /// </summary>
    public AuditedItem Storage(AuditedItemKind kind, string name)
    {
        foreach (var (consentKey, keys) in _declarations.StorageKeys)
        {
            if (keys.Any(k => Matches(k, name)))
            {
                var slash = consentKey.IndexOf('/', StringComparison.Ordinal);
                return new AuditedItem
                {
                    Kind = kind,
                    Name = name,
                    Category = slash < 0 ? consentKey : consentKey[..slash],
                    ConsentKey = consentKey,
                    Service = slash < 0 ? null : consentKey[(slash + 1)..],
                };
            }
        }

        return new AuditedItem { Kind = kind, Name = name };
    }

    internal static bool Matches(string declared, string name)
        => declared.EndsWith('*')
            ? name.StartsWith(declared.AsSpan(0, declared.Length - 1), StringComparison.Ordinal)
            : string.Equals(declared, name, StringComparison.Ordinal);
}
