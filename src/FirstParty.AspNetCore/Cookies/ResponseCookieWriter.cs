using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Appends FirstParty's own <c>Set-Cookie</c> headers. They are written as raw headers rather than
/// through <c>Response.Cookies</c>: that API percent-encodes values, and FirstParty's cookies pass
/// FirstParty's own consent gate, not the one that decorates <c>Response.Cookies</c>.
/// </summary>
internal sealed class ResponseCookieWriter
{
    private const string Expired = "; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0";

    private static readonly long MaxAgeCapSeconds = (long)VisitorOptions.MaximumLifetime.TotalSeconds;

    private readonly FirstPartyCookieOptions _options;
    private readonly CookieDomainResolver _domains;
    private readonly string _sameSite;

    public ResponseCookieWriter(IOptions<FirstPartyOptions> options, CookieDomainResolver domains)
    {
        _options = options.Value.Cookies;
        _domains = domains;
        _sameSite = _options.SameSite switch
        {
            SameSiteMode.None => "; samesite=none",
            SameSiteMode.Lax => "; samesite=lax",
            SameSiteMode.Strict => "; samesite=strict",
            _ => string.Empty,
        };
    }

    /// <summary>
    /// Appends a cookie. <paramref name="maxAgeSeconds"/> is capped at 400 days. Only <c>Max-Age</c> is
    /// written: every browser that can run the site honours it and lets it win over <c>Expires</c>
    /// (RFC 6265 section 5.3), so an <c>Expires</c> date would be 38 bytes browsers ignore.
    /// A second value for the same cookie in one response replaces the first, which the browser
    /// would overwrite anyway.
    /// </summary>
    /// <param name="context">The request whose response gets the header.</param>
    /// <param name="name">The cookie name.</param>
    /// <param name="value">The cookie value, written verbatim.</param>
    /// <param name="maxAgeSeconds">The lifetime.</param>
    /// <param name="now">Not used since <c>Expires</c> is no longer written; kept so callers stay unchanged.</param>
    /// <param name="httpOnly">Whether page script may not read the cookie.</param>
    public void Append(HttpContext context, string name, ReadOnlySpan<char> value, long maxAgeSeconds, DateTimeOffset now, bool httpOnly = true)
    {
        maxAgeSeconds = Math.Clamp(maxAgeSeconds, 0, MaxAgeCapSeconds);
        var domain = CookieNameRules.HasHostPrefix(name) ? null : _domains.Resolve(context.Request.Host);
        var secure = _options.Secure switch
        {
            CookieSecurePolicy.Always => true,
            CookieSecurePolicy.None => false,
            _ => context.Request.IsHttps,
        };

        // One allocation: the header itself, formatted from spans in a stack buffer.
        var header = string.Create(
            CultureInfo.InvariantCulture,
            stackalloc char[2048],
            $"{name}={value}; max-age={maxAgeSeconds}{(domain is null ? string.Empty : "; domain=")}{domain}; path=/{(secure ? "; secure" : string.Empty)}{_sameSite}{(httpOnly ? "; httponly" : string.Empty)}");
        var headers = context.Response.Headers;
        var existing = headers.SetCookie;
        for (var i = 0; i < existing.Count; i++)
        {
            if (IsValueOf(existing[i], name))
            {
                var replaced = existing.ToArray();
                replaced[i] = header;
                headers.SetCookie = replaced;
                return;
            }
        }

        headers.Append(HeaderNames.SetCookie, header);
    }

    /// <summary>
    /// True for a header that <see cref="Append"/> wrote for <paramref name="name"/>: same name, same
    /// domain and path (both follow from the name), and a value, so not a deletion.
    /// </summary>
    private static bool IsValueOf(string? header, string name)
        => header is not null
            && header.Length > name.Length + 1
            && header[name.Length] == '='
            && header[name.Length + 1] != ';'
            && header.StartsWith(name, StringComparison.Ordinal);

    /// <summary>
    /// Deletes one of FirstParty's own cookies where FirstParty writes it: host-only and on the cookie
    /// domain (a Set-Cookie removes only the cookie with the same name, domain and path).
    /// </summary>
    public void Delete(HttpContext context, string name)
    {
        var tail = DeletionTail(context, name);
        context.Response.Headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; path=/{tail}");
        if (!CookieNameRules.HasHostPrefix(name) && _domains.Resolve(context.Request.Host) is { } domain)
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; domain={domain}; path=/{tail}");
        }
    }

    /// <summary>
    /// Deletes a declared cookie that a script or another server may have set anywhere this host can
    /// see: host-only, and with a Domain of the host itself, of the cookie domain, of the registrable
    /// domain and of the declared domain; each at <c>/</c> and at the declared path.
    /// </summary>
    public void DeleteDeclared(HttpContext context, string name, string? declaredDomain, string? declaredPath)
    {
        var tail = DeletionTail(context, name);
        var headers = context.Response.Headers;
        headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; path=/{tail}");

        // A __Host- cookie is host-only at / by definition.
        if (CookieNameRules.HasHostPrefix(name))
        {
            return;
        }

        var path = declaredPath is not "/" && CookieNameRules.IsPath(declaredPath) ? declaredPath : null;
        if (path is not null)
        {
            headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; path={path}{tail}");
        }

        foreach (var domain in DomainVariants(context.Request.Host, declaredDomain))
        {
            headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; domain={domain}; path=/{tail}");
            if (path is not null)
            {
                headers.Append(HeaderNames.SetCookie, $"{name}={Expired}; domain={domain}; path={path}{tail}");
            }
        }
    }

    private string DeletionTail(HttpContext context, string name)
    {
        var secure = CookieNameRules.HasHostPrefix(name) || CookieNameRules.HasSecurePrefix(name) || _options.Secure == CookieSecurePolicy.Always || (_options.Secure == CookieSecurePolicy.SameAsRequest && context.Request.IsHttps);
        return secure ? "; secure" + _sameSite : _sameSite;
    }

    /// <summary>The distinct Domain attributes a cookie of this host may carry; none on an IP address.</summary>
    private List<string> DomainVariants(HostString host, string? declaredDomain)
    {
        var variants = new List<string>(4);
        var name = host.Host;
        if (!string.IsNullOrEmpty(name) && !name.StartsWith('[') && !System.Net.IPAddress.TryParse(name, out _))
        {
            // Scripts (Snowplow on localhost, SDKs given cookieDomain = location.hostname) set it on the host itself.
            Add(variants, name.TrimEnd('.'));
        }

        Add(variants, _domains.Resolve(host));
        Add(variants, _domains.RegistrableDomain(host));
        Add(variants, declaredDomain?.Trim().TrimStart('.'));
        return variants;

        static void Add(List<string> variants, string? domain)
        {
            if (!string.IsNullOrEmpty(domain) && CookieNameRules.IsToken(domain) && !variants.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                variants.Add(domain);
            }
        }
    }
}
