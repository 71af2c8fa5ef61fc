using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// Recognises top-level document navigations, the only responses on which visitor cookies are
/// minted or refreshed: Safari keeps server-set cookies at full lifetime only when they come with
/// the site's own documents, and refreshing on subresources would stretch sessions.
/// </summary>
internal static class NavigationDetector
{
    private const string SecFetchDest = "Sec-Fetch-Dest";
    private const string SecFetchSite = "Sec-Fetch-Site";

    /// <summary>
    /// The one <c>Accept</c> value of Blazor's enhanced navigation and enhanced form posts: they are
    /// <c>no-cors</c> fetches (<c>Sec-Fetch-Dest: empty</c>), so Blazor flags them in the only header it
    /// may set, and its server matches the value exactly.
    /// </summary>
    internal const string BlazorEnhancedNavigationAccept = "text/html; blazor-enhanced-nav=on";

    public static bool IsTopLevelNavigation(HttpRequest request)
    {
        var dest = request.Headers[SecFetchDest];
        if (dest.Count > 0)
        {
            // Browsers that send Fetch Metadata say exactly what they are loading ("iframe" is not top level).
            return string.Equals(dest[0], "document", StringComparison.OrdinalIgnoreCase)
                || IsBlazorEnhancedNavigation(request);
        }

        if (IsBlazorEnhancedNavigation(request))
        {
            return true;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A Blazor Web App page change or form post made by enhanced navigation: the person moved to a
    /// page of this site, the document just was not reloaded. Only from this site itself: another
    /// site's script could send the same header, but its fetch is not this site's navigation.
    /// </summary>
    public static bool IsBlazorEnhancedNavigation(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count != 1 || !string.Equals(accept[0], BlazorEnhancedNavigationAccept, StringComparison.Ordinal))
        {
            return false;
        }

        var site = request.Headers[SecFetchSite];
        return site.Count == 0 || string.Equals(site[0], "same-origin", StringComparison.OrdinalIgnoreCase);
    }
}
