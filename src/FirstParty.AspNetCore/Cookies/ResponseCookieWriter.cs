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

    /// <summary>Appends a cookie. <paramref name="maxAgeSeconds"/> is capped at 400 days.</summary>
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
            $"{name}={value}; expires={now.AddSeconds(maxAgeSeconds):R}; max-age={maxAgeSeconds}{(domain is null ? string.Empty : "; domain=")}{domain}; path=/{(secure ? "; secure" : string.Empty)}{_sameSite}{(httpOnly ? "; httponly" : string.Empty)}");
        context.Response.Headers.Append(HeaderNames.SetCookie, header);
    }

    /// <summary>
    /// Deletes a cookie in every place it may have been set: host-only and on the cookie domain
    /// (a Set-Cookie removes only the cookie with the same name, domain and path).
    /// </summary>
    public void Delete(HttpContext context, string name, string? declaredDomain = null)
    {
        var prefixed = CookieNameRules.HasHostPrefix(name) || CookieNameRules.HasSecurePrefix(name);
        var secure = prefixed || _options.Secure == CookieSecurePolicy.Always || (_options.Secure == CookieSecurePolicy.SameAsRequest && context.Request.IsHttps);
        var attributes = $"; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/{(secure ? "; secure" : string.Empty)}{_sameSite}";
        context.Response.Headers.Append(HeaderNames.SetCookie, name + "=" + attributes);
        if (CookieNameRules.HasHostPrefix(name))
        {
            return;
        }

        var domain = _domains.Resolve(context.Request.Host);
        if (domain is not null)
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, $"{name}={attributes}; domain={domain}");
        }

        var declared = declaredDomain?.Trim().TrimStart('.');
        if (!string.IsNullOrEmpty(declared) && !string.Equals(declared, domain, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Append(HeaderNames.SetCookie, $"{name}={attributes}; domain={declared}");
        }
    }
}
