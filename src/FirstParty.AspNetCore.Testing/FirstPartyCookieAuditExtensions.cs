using FirstParty.AspNetCore.Testing;

namespace Microsoft.AspNetCore.Mvc.Testing;

/// <summary>The cookie audit over HTTP for <see cref="WebApplicationFactory{TEntryPoint}"/> tests.</summary>
public static class FirstPartyCookieAuditExtensions
{
    /// <summary>
    /// Visits each of <paramref name="paths"/> under each of <paramref name="states"/> (default:
    /// <see cref="CookieAuditState.All"/>), each state in a fresh cookie jar, deciding through the
    /// app's consent endpoint, and reports the cookies held after every page with the declaration
    /// each matched. Scripts do not run: for cookies written by <c>document.cookie</c> and browser
    /// storage, use the browser mode of <c>FirstParty.AspNetCore.Testing.Playwright</c>.
    /// </summary>
    /// <param name="factory">The app under test.</param>
    /// <param name="paths">Local paths to visit, the first also where decisions are made (<c>/</c>, <c>/privacy</c>).</param>
    /// <param name="states">The consent states to visit the pages under.</param>
    /// <param name="pathPrefix">FirstParty's endpoint prefix (<c>FirstParty:Endpoints:PathPrefix</c>).</param>
    public static async Task<CookieAuditReport> AuditCookiesAsync<TEntryPoint>(
        this WebApplicationFactory<TEntryPoint> factory,
        IEnumerable<string> paths,
        IEnumerable<CookieAuditState>? states = null,
        string pathPrefix = "/_fp")
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(paths);
        var pages = paths.ToList();
        if (pages.Count == 0)
        {
            throw new ArgumentException("Give at least one path to audit.", nameof(paths));
        }

        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var audit = new HttpCookieAudit(client, new AuditDeclarations(factory.Services), pathPrefix);
        return await audit.RunAsync(pages, [.. states ?? CookieAuditState.All(factory.Services)]).ConfigureAwait(false);
    }
}
