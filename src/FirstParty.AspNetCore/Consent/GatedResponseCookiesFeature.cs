using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Replaces the request's <see cref="IResponseCookiesFeature"/> so that every cookie written through
/// <c>Response.Cookies</c> after <c>UseFirstParty()</c> passes the <see cref="CookieGate"/>; refused
/// cookies are dropped silently (a Debug log and a metric), never with an exception. Each cookie
/// is judged by the request's consent state at the time it is written, so a decision or a forget
/// later in the request applies to the cookies written after it.
/// </summary>
internal sealed class GatedResponseCookiesFeature(IResponseCookiesFeature inner, HttpContext context, CookieGate gate)
    : IResponseCookiesFeature
{
    private GatedResponseCookies? _cookies;

    public IResponseCookies Cookies => _cookies ??= new GatedResponseCookies(inner.Cookies, context, gate);

    private sealed class GatedResponseCookies(IResponseCookies inner, HttpContext context, CookieGate gate) : IResponseCookies
    {
        // An app that removed the consent state leaves the decision to the response step's last pass.
        private bool Allows(string key)
            => context.Features.Get<IConsentFeature>() is not { } consent || gate.Allows(consent, key);

        public void Append(string key, string value)
        {
            if (Allows(key))
            {
                inner.Append(key, value);
            }
        }

        public void Append(string key, string value, CookieOptions options)
        {
            if (Allows(key))
            {
                inner.Append(key, value, options);
            }
        }

        public void Append(ReadOnlySpan<KeyValuePair<string, string>> keyValuePairs, CookieOptions options)
        {
            var allowed = new List<KeyValuePair<string, string>>(keyValuePairs.Length);
            foreach (var pair in keyValuePairs)
            {
                if (Allows(pair.Key))
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
