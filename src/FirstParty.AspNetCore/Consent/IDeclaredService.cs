namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// A service whose cookies and browser-storage keys are declared in code rather than configuration
/// (the provider profiles), so the cookie catalogue gates, deletes and lists them like the rest.
/// </summary>
internal interface IDeclaredService
{
    /// <summary>The service key (<c>snowplow</c>).</summary>
    string ServiceKey { get; }

    /// <summary>Who runs the service, for the cookie table.</summary>
    string ProviderName { get; }

    /// <summary>The consent category whose grant allows the cookies, or a configured service of one (<c>category/service</c>).</summary>
    string Category { get; }

    /// <summary>The cookies the service sets.</summary>
    IEnumerable<CookieDeclaration> Declarations { get; }

    /// <summary>The localStorage and sessionStorage keys the service writes (<c>*</c> ends a prefix).</summary>
    IEnumerable<string> StorageKeys { get; }
}
