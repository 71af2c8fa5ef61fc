using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// One SDK's id cookies, derived from the server's visitor: the names and formats the SDK reads, so
/// that it adopts the server's id instead of minting its own.
/// </summary>
internal abstract class ProviderProfile : Consent.IDeclaredService
{
    /// <summary>The service key (<c>snowplow</c>), used in the cookie table and for the category's service.</summary>
    public abstract string ServiceKey { get; }

    /// <summary>Who runs the service, for the cookie table.</summary>
    public abstract string ProviderName { get; }

    /// <summary>The consent category whose grant allows the cookies.</summary>
    public abstract string Category { get; }

    /// <summary>The cookies, declared so that refusal deletes them and the cookie table lists them.</summary>
    public abstract IEnumerable<CookieDeclaration> Declarations { get; }

    /// <summary>
    /// The browser-storage keys the SDK writes (localStorage and sessionStorage; a name ending in
    /// <c>*</c> is a prefix), which the consent script clears on every page where the category is refused.
    /// </summary>
    public virtual IEnumerable<string> StorageKeys => [];

    /// <summary>A lifetime as the server writes it: browsers keep a cookie at most 400 days (RFC 6265bis).</summary>
    protected static TimeSpan Capped(TimeSpan lifetime) => lifetime < VisitorOptions.MaximumLifetime ? lifetime : VisitorOptions.MaximumLifetime;

    /// <summary>
    /// Writes the cookies for this response: an existing one is re-sent byte for byte with a new
    /// expiry (unless <paramref name="missingOnly"/>), a missing one is minted from the visitor.
    /// </summary>
    /// <returns>True when a missing cookie was minted (the metrics count the re-created ones).</returns>
    public abstract bool Write(ProviderCookieContext context, bool missingOnly);

    /// <summary>The id the SDK uses: from its cookie when the request has a valid one, else the one the server mints.</summary>
    public abstract string ResolveId(ProviderCookieContext context);
}
