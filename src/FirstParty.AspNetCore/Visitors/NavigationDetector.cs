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

    public static bool IsTopLevelNavigation(HttpRequest request)
    {
        var dest = request.Headers[SecFetchDest];
        if (dest.Count > 0)
        {
            // Browsers that send Fetch Metadata say exactly what they are loading ("iframe" is not top level).
            return string.Equals(dest[0], "document", StringComparison.OrdinalIgnoreCase);
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
}
