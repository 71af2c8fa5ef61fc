using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// The browser mode of the cookie audit: a Playwright browser visits the site with its scripts
/// running, so cookies written by <c>document.cookie</c> and the SDKs' browser storage are audited too.
/// </summary>
public static class PlaywrightCookieAudit
{
    // The consent script's own way to decide from markup rendered without a token: ask the endpoint
    // for one, then post the choice with it.
    private const string Decide = """
        async ([prefix, choice, categories, returnUrl]) => {
          const state = await (await fetch(prefix + '/consent?antiforgery', { headers: { Accept: 'application/json' } })).json();
          const body = new URLSearchParams({ choice, returnUrl });
          for (const category of categories) body.append('category', category);
          const answer = await fetch(prefix + '/consent', {
            method: 'POST', body,
            headers: { Accept: 'application/json', [state.antiforgery.headerName]: state.antiforgery.token },
          });
          return answer.ok ? '' : answer.status + ' ' + await answer.text();
        }
        """;

    private const string Snapshot = """
        async () => {
          const keys = storage => { try { return Object.keys(storage); } catch { return []; } };
          const banner = document.querySelector('[data-fp-banner]');
          const rejects = banner ? [...banner.querySelectorAll('button[value="reject-all"]')] : [];
          return JSON.stringify({
            local: keys(localStorage),
            session: keys(sessionStorage),
            databases: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [],
            reject: rejects.some(b => !b.closest('details') && (!b.checkVisibility || b.checkVisibility())),
            withdrawal: document.querySelector('[data-fp-open-preferences], [data-fp-centre]') !== null,
          });
        }
        """;

    private const float SettleMilliseconds = 3_000;

    private const string State = "async prefix => (await fetch(prefix + '/consent', { headers: { Accept: 'application/json' } })).text()";

    /// <summary>
    /// Visits each of <paramref name="paths"/> on the site at <paramref name="baseAddress"/> under each of
    /// <paramref name="states"/> (default: <see cref="CookieAuditState.All"/>), each state in a new
    /// browser context, deciding through the site's consent endpoint from the first page, and reports
    /// what the browser holds once each page's network is idle: cookies, localStorage and
    /// sessionStorage keys, IndexedDB databases, each matched against the declarations of the app
    /// behind <paramref name="services"/>.
    /// </summary>
    /// <param name="browser">A launched browser (the audit opens and closes its own contexts).</param>
    /// <param name="baseAddress">Where the site listens (a real server such as Kestrel, not the in-memory test server).</param>
    /// <param name="services">The site's services, for its declarations (<c>factory.Services</c>).</param>
    /// <param name="paths">Local paths to visit, the first also where decisions are made.</param>
    /// <param name="states">The consent states to visit the pages under.</param>
    /// <param name="pathPrefix">FirstParty's endpoint prefix (<c>FirstParty:Endpoints:PathPrefix</c>).</param>
    public static async Task<CookieAuditReport> AuditCookiesAsync(
        this IBrowser browser,
        Uri baseAddress,
        IServiceProvider services,
        IEnumerable<string> paths,
        IEnumerable<CookieAuditState>? states = null,
        string pathPrefix = "/_fp")
    {
        ArgumentNullException.ThrowIfNull(browser);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(paths);
        var pages = paths.ToList();
        if (pages.Count == 0)
        {
            throw new ArgumentException("Give at least one path to audit.", nameof(paths));
        }

        var declarations = new AuditDeclarations(services);
        var audited = new List<AuditedState>();
        foreach (var state in states ?? CookieAuditState.All(services))
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString() }).ConfigureAwait(false);
            try
            {
                audited.Add(await AuditStateAsync(context, pages, state, declarations, pathPrefix).ConfigureAwait(false));
            }
            finally
            {
                await context.CloseAsync().ConfigureAwait(false);
            }
        }

        return new CookieAuditReport { Mode = "browser", States = audited };
    }

    private static async Task<AuditedState> AuditStateAsync(IBrowserContext context, List<string> pages, CookieAuditState state, AuditDeclarations declarations, string pathPrefix)
    {
        var page = await context.NewPageAsync().ConfigureAwait(false);
        if (state.Choice is not null)
        {
            await GoAsync(page, pages[0]).ConfigureAwait(false);
            var refused = await page.EvaluateAsync<string>(Decide, new object[] { pathPrefix, state.Choice, state.Categories.ToArray(), pages[0] }).ConfigureAwait(false);
            if (refused.Length > 0)
            {
                throw new InvalidOperationException($"The consent endpoint refused the decision of state {state.Name}: {refused}");
            }
        }

        var visited = new List<AuditedPage>(pages.Count);
        foreach (var path in pages)
        {
            var status = await GoAsync(page, path).ConfigureAwait(false);
            visited.Add(await ReadPageAsync(page, context, path, status, state, declarations).ConfigureAwait(false));
        }

        using var json = JsonDocument.Parse(await page.EvaluateAsync<string>(State, pathPrefix).ConfigureAwait(false));
        return AuditStateJson.FromJson(json.RootElement, state, declarations.RequiredCategories, visited);
    }

    private static async Task<int> GoAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load }).ConfigureAwait(false);
        try
        {
            // Network idle: the SDKs have loaded, run and written what they write on a page view. A
            // request that never ends (an embed with no network) must not hang the audit: settle for
            // what is there after a while.
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new PageWaitForLoadStateOptions { Timeout = SettleMilliseconds }).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return response?.Status ?? 0;
    }

    private static async Task<AuditedPage> ReadPageAsync(IPage page, IBrowserContext context, string path, int status, CookieAuditState state, AuditDeclarations declarations)
    {
        // Serialised in the page and parsed here: the values keep their JSON types.
        using var snapshot = JsonDocument.Parse(await page.EvaluateAsync<string>(Snapshot).ConfigureAwait(false));
        var seen = snapshot.RootElement;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var items = new List<AuditedItem>();
        foreach (var cookie in await context.CookiesAsync().ConfigureAwait(false))
        {
            items.Add(declarations.Cookie(
                cookie.Name,
                cookie.Domain.TrimStart('.'),
                cookie.Path,
                cookie.Expires < 0 ? null : TimeSpan.FromSeconds(cookie.Expires - now),
                cookie.HttpOnly,
                cookie.Secure,
                cookie.SameSite.ToString()));
        }

        items.AddRange(Names(seen, "local").Select(k => declarations.Storage(AuditedItemKind.LocalStorage, k)));
        items.AddRange(Names(seen, "session").Select(k => declarations.Storage(AuditedItemKind.SessionStorage, k)));
        items.AddRange(Names(seen, "databases").Select(k => declarations.Storage(AuditedItemKind.IndexedDb, k)));
        return new AuditedPage
        {
            Path = path,
            Status = status,
            RejectOnFirstLayer = state.Choice is null ? seen.GetProperty("reject").GetBoolean() : null,
            WithdrawalReachable = seen.GetProperty("withdrawal").GetBoolean(),
            Items = items,
        };
    }

    private static List<string> Names(JsonElement seen, string property)
        => [.. seen.GetProperty(property).EnumerateArray().Select(e => e.GetString() ?? string.Empty).Order(StringComparer.Ordinal)];
}
