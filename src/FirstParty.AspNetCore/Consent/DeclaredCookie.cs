namespace FirstParty.AspNetCore;

/// <summary>A declared cookie with the category and service it belongs to (<see cref="ICookieDeclarations"/>).</summary>
public sealed class DeclaredCookie
{
    internal DeclaredCookie(string category, string service, string? provider, string consentKey, CookieDeclaration declaration)
    {
        Category = category;
        Service = service;
        Provider = provider;
        ConsentKey = consentKey;
        Declaration = declaration;
    }

    /// <summary>The consent category whose grant allows the cookie.</summary>
    public string Category { get; }

    /// <summary>The service that sets it (<c>firstparty</c> and <c>aspnetcore</c> for the built-in ones).</summary>
    public string Service { get; }

    /// <summary>Who sets it: the declaration's provider, else its service's, else null (the site itself).</summary>
    public string? Provider { get; }

    /// <summary>What consent allows it: the category, or <c>category/service</c> for a configured service.</summary>
    public string ConsentKey { get; }

    /// <summary>The declaration as configured (name or prefix pattern, domain, path, lifetime, purpose).</summary>
    public CookieDeclaration Declaration { get; }
}
