using System.Globalization;
using System.Net;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// What a profile needs for one response: the visitor, the clock, the request's raw cookies and a
/// way to write raw <c>Set-Cookie</c> headers (no percent-encoding, never HttpOnly).
/// </summary>
/// <summary>A structural check of a cookie value, made on the raw header text.</summary>
internal delegate bool CookieValueCheck(ReadOnlySpan<char> value);

internal readonly struct ProviderCookieContext(HttpContext http, IVisitorFeature visitor, DateTimeOffset now, CookieDomainResolver domains)
{
    /// <summary>Browsers cap cookie lifetimes at 400 days (RFC 6265bis).</summary>
    private static readonly long MaxAgeCapSeconds = (long)VisitorOptions.MaximumLifetime.TotalSeconds;

    /// <summary>A cookie whose name and value exceed this is ignored by browsers.</summary>
    private const int MaxCookieLength = 4096;

    public HttpContext Http { get; } = http;

    public IVisitorFeature Visitor { get; } = visitor;

    public DateTimeOffset Now { get; } = now;

    /// <summary>The request host without port.</summary>
    public string Host => Http.Request.Host.Host;

    /// <summary>True for an IP literal host, where cookies are host-only.</summary>
    public bool HostIsAddress => IPAddress.TryParse(Host.Trim('[', ']'), out _);

    /// <summary>The registrable domain (the site's configured cookie domain wins), or null when cookies must be host-only.</summary>
    public string? RegistrableDomain => domains.Resolve(Http.Request.Host);

    /// <summary>
    /// The first value of a cookie in the raw Cookie header (what page script sees first), when it
    /// is made of cookie-octets only; null when absent or unsafe to echo.
    /// </summary>
    public string? RequestCookie(string name)
    {
        foreach (var value in new CookieHeaderScanner(Http.Request.Headers.Cookie, name))
        {
            return IsCookieOctets(value) && value.Length + name.Length < MaxCookieLength ? value.ToString() : null;
        }

        return null;
    }

    /// <summary>
    /// True when the first copy of the cookie passes a cheap structural check, without copying its
    /// value: the fast path of a page where nothing is due.
    /// </summary>
    public bool HasRequestCookie(string name, CookieValueCheck check)
    {
        foreach (var value in new CookieHeaderScanner(Http.Request.Headers.Cookie, name))
        {
            return IsCookieOctets(value) && check(value);
        }

        return false;
    }

    /// <summary>
    /// Appends a raw, non-HttpOnly Set-Cookie with Path=/. Max-Age only, as the visitor cookies: every
    /// browser that runs these SDKs honours it and ignores Expires beside it (RFC 6265 5.3), so
    /// Expires would be bytes on every refresh and a date to format.
    /// </summary>
    public void Append(string name, string value, string? domain, TimeSpan lifetime, bool secure, string sameSite)
    {
        var maxAge = Math.Clamp((long)lifetime.TotalSeconds, 0, MaxAgeCapSeconds);
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"{name}={value}; max-age={maxAge}{(domain is null ? string.Empty : "; domain=")}{domain}; path=/{(secure ? "; secure" : string.Empty)}; samesite={SameSiteToken(sameSite)}");
        Http.Response.Headers.Append(HeaderNames.SetCookie, header);
    }

    /// <summary>The attribute value in lower case, without a new string for the three values there are.</summary>
    private static string SameSiteToken(string sameSite)
        => sameSite.Equals("Lax", StringComparison.OrdinalIgnoreCase) ? "lax"
            : sameSite.Equals("None", StringComparison.OrdinalIgnoreCase) ? "none"
            : sameSite.Equals("Strict", StringComparison.OrdinalIgnoreCase) ? "strict"
            : sameSite.ToLowerInvariant();

    /// <summary>RFC 6265 cookie-octets: printable ASCII without space, <c>"</c>, <c>,</c>, <c>;</c> and <c>\</c>.</summary>
    internal static bool IsCookieOctets(ReadOnlySpan<char> value)
        => !value.IsEmpty && !value.ContainsAnyExcept(CookieOctets);

    // A vectorised search: SDK cookies run to hundreds of characters and are checked on every page.
    private static readonly System.Buffers.SearchValues<char> CookieOctets = System.Buffers.SearchValues.Create(
        "!#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");
}
