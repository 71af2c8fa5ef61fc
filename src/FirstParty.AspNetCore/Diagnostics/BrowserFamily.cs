using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>
/// The browser family of a request, for metrics only: Safari, Chrome, Edge, Firefox, Brave or
/// other. Brave says who it is only in the <c>Sec-CH-UA</c> brands (its User-Agent is Chrome's);
/// the brands win over the User-Agent when present.
/// </summary>
internal static class BrowserFamily
{
    public const string Safari = "safari";
    public const string Chrome = "chrome";
    public const string Edge = "edge";
    public const string Firefox = "firefox";
    public const string Brave = "brave";
    public const string Other = "other";

    /// <summary>Every family, in the order of <see cref="Index"/>.</summary>
    public static readonly string[] All = [Safari, Chrome, Edge, Firefox, Brave, Other];

    public static string Of(HttpRequest request)
        => All[Index(request.Headers["Sec-CH-UA"].ToString(), request.Headers.UserAgent.ToString())];

    /// <summary>The family's position in <see cref="All"/>.</summary>
    public static int Index(ReadOnlySpan<char> brands, ReadOnlySpan<char> userAgent)
    {
        if (!brands.IsEmpty)
        {
            if (brands.Contains("\"Brave\"", StringComparison.Ordinal))
            {
                return 4;
            }

            if (brands.Contains("\"Microsoft Edge\"", StringComparison.Ordinal))
            {
                return 2;
            }

            if (brands.Contains("\"Google Chrome\"", StringComparison.Ordinal))
            {
                return 1;
            }

            // Another Chromium (Opera, Vivaldi, Samsung Internet) names itself and Chromium only.
            if (brands.Contains("\"Chromium\"", StringComparison.Ordinal))
            {
                return 5;
            }
        }

        if (userAgent.Contains("Edg/", StringComparison.Ordinal) || userAgent.Contains("EdgiOS/", StringComparison.Ordinal) || userAgent.Contains("EdgA/", StringComparison.Ordinal))
        {
            return 2;
        }

        if (userAgent.Contains("Firefox/", StringComparison.Ordinal) || userAgent.Contains("FxiOS/", StringComparison.Ordinal))
        {
            return 3;
        }

        if (userAgent.Contains("OPR/", StringComparison.Ordinal) || userAgent.Contains("SamsungBrowser/", StringComparison.Ordinal))
        {
            return 5;
        }

        if (userAgent.Contains("Chrome/", StringComparison.Ordinal) || userAgent.Contains("CriOS/", StringComparison.Ordinal))
        {
            return 1;
        }

        // Safari says Version/x Safari/y; other WebKit shells (in-app views) lack Version/.
        return userAgent.Contains("Safari/", StringComparison.Ordinal) && userAgent.Contains("Version/", StringComparison.Ordinal) ? 0 : 5;
    }
}
