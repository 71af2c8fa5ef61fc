using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Replaces the request's <see cref="IResponseCookiesFeature"/> so that every cookie written through
/// <c>Response.Cookies</c> after <c>UseFirstParty()</c> passes the <see cref="CookieGate"/>; refused
/// cookies are dropped silently (a Debug log and a metric), never with an exception.
/// </summary>
internal sealed class GatedResponseCookiesFeature(IResponseCookiesFeature inner, IConsentFeature consent, CookieGate gate)
    : IResponseCookiesFeature
{
    private GatedResponseCookies? _cookies;

    public IResponseCookies Cookies => _cookies ??= new GatedResponseCookies(inner.Cookies, consent, gate);

    private sealed class GatedResponseCookies(IResponseCookies inner, IConsentFeature consent, CookieGate gate) : IResponseCookies
    {
        public void Append(string key, string value)
        {
            if (gate.Allows(consent, key))
            {
                inner.Append(key, value);
            }
        }

        public void Append(string key, string value, CookieOptions options)
        {
            if (gate.Allows(consent, key))
            {
                inner.Append(key, value, options);
            }
        }

        public void Append(ReadOnlySpan<KeyValuePair<string, string>> keyValuePairs, CookieOptions options)
        {
            var allowed = new List<KeyValuePair<string, string>>(keyValuePairs.Length);
            foreach (var pair in keyValuePairs)
            {
                if (gate.Allows(consent, pair.Key))
                {
                    allowed.Add(pair);
                }
            }

            if (allowed.Count > 0)
            {
                inner.Append([.. allowed], options);
            }
        }

        public void Delete(string key) => inner.Delete(key);

        public void Delete(string key, CookieOptions options) => inner.Delete(key, options);
    }
}
