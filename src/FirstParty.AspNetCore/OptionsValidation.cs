using System.Globalization;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Rules shared by several section validators, kept in one place so the visitor, session and
/// consent cookies are held to the same cookie-name rule and every message formats values alike.
/// </summary>
internal static class OptionsValidation
{
    private const string Section = FirstPartyOptions.SectionName;

    /// <summary>Invariant <c>d.hh:mm:ss</c>, so a message reads the same on every server culture.</summary>
    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>
    /// A cookie name must be an HTTP token, and a <c>__Host-</c> or <c>__Secure-</c> prefix must agree
    /// with the shared cookie attributes, or browsers drop the cookie without a word.
    /// </summary>
    public static void CookieName(string key, string? cookieName, FirstPartyCookieOptions cookies, List<string> failures)
    {
        if (!CookieNameRules.IsToken(cookieName))
        {
            failures.Add($"{key} must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~; no spaces, '=', ';' or quotes); it is '{cookieName}'.");
            return;
        }

        if (CookieNameRules.HasHostPrefix(cookieName!))
        {
            if (!string.IsNullOrWhiteSpace(cookies.Domain))
            {
                failures.Add($"{key} uses the __Host- prefix, which forbids a Domain attribute; remove {Section}:Cookies:Domain ('{cookies.Domain}') or use the __Secure- prefix.");
            }

            if (cookies.Secure != CookieSecurePolicy.Always)
            {
                failures.Add($"{key} uses the __Host- prefix, which requires {Section}:Cookies:Secure to be Always; it is {cookies.Secure}.");
            }
        }
        else if (CookieNameRules.HasSecurePrefix(cookieName!) && cookies.Secure != CookieSecurePolicy.Always)
        {
            failures.Add($"{key} uses the __Secure- prefix, which requires {Section}:Cookies:Secure to be Always; it is {cookies.Secure}.");
        }
    }
}
