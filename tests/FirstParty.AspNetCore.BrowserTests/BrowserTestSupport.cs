using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>What several browser test classes share: URLs, cookie names, the server's consent state, axe-core.</summary>
internal static class BrowserTestSupport
{
    public const string Banner = "[data-fp-banner]";
    public const string AcceptAll = "[data-fp-banner] button[value='accept-all']";
    public const string RejectAll = "[data-fp-banner] button[value='reject-all']";
    public const string Customize = "[data-fp-banner] details[data-fp-preferences] > summary";
    public const string Save = "[data-fp-banner] button[value='custom']";
    public const string OpenPreferences = "[data-fp-open-preferences]";
    public const string YouTube = "[data-fp-placeholder='marketing/youtube']";

    /// <summary>
    /// Checks again every 100 ms until <paramref name="condition"/> holds (what a browser sends or
    /// stores arrives in its own time, later still on a busy machine), and fails naming
    /// <paramref name="what"/> after <paramref name="seconds"/>.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {seconds} s waiting until {what}.");
            await Task.Delay(100);
        }
    }

    /// <inheritdoc cref="EventuallyAsync(Func{Task{bool}}, string, int)"/>
    public static Task EventuallyAsync(Func<bool> condition, string what, int seconds = 20)
        => EventuallyAsync(() => Task.FromResult(condition()), what, seconds);

    /// <summary>
    /// Clicks and waits until the main frame has committed a new document at <paramref name="url"/> and
    /// parsed it. For a form that redirects back to the page it was posted from, where waiting for the
    /// URL would match the old document at once (and has timed out waiting for its load event).
    /// </summary>
    public static async Task ClickAndWaitForPageAsync(IPage page, ILocator target, string url)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnNavigated(object? sender, IFrame frame)
        {
            if (frame == page.MainFrame && frame.Url == url)
            {
                committed.TrySetResult();
            }
        }

        page.FrameNavigated += OnNavigated;
        try
        {
            await target.ClickAsync();
            await committed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            page.FrameNavigated -= OnNavigated;
        }

        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>Set before an action; still 1 afterwards only if the page did not reload.</summary>
    public const string SetMarker = "() => { window.__marker = 1; }";
    public const string ReadMarker = "() => window.__marker === 1";

    private static readonly Lazy<string> AxeScriptPath = new(FindAxe);

    public static string Url(this SampleSiteFixture site, string path) => new Uri(site.BaseAddress, path).ToString();

    public static async Task<HashSet<string>> CookieNamesAsync(this IBrowserContext context)
        => [.. (await context.CookiesAsync()).Select(c => c.Name)];

    public static IPageAssertions ExpectPage(IPage page) => Assertions.Expect(page);

    public static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>GET /_fp/consent as the page's own script would: same cookies, JSON answer.</summary>
    public static async Task<JsonElement> ServerStateAsync(IPage page)
        => await page.EvaluateAsync<JsonElement>(
            "async () => (await fetch('/_fp/consent', { headers: { Accept: 'application/json' } })).json()");

    /// <summary>GET /_fp/consent with the context's cookies, for pages without JavaScript.</summary>
    public static Task<JsonElement> ServerStateAsync(IBrowserContext context, SampleSiteFixture site) => ServerStateAsync(context, site.Url("/_fp/consent"));

    /// <summary>GET the consent endpoint at <paramref name="url"/> with the context's cookies.</summary>
    public static async Task<JsonElement> ServerStateAsync(IBrowserContext context, string url)
    {
        var response = await context.APIRequest.GetAsync(url, new() { Headers = new Dictionary<string, string> { ["Accept"] = "application/json" } });
        Assert.True(response.Ok, $"GET /_fp/consent answered {response.Status}");
        return (await response.JsonAsync())!.Value;
    }

    /// <summary>Clicks and waits for the answer to the consent POST the click starts (by script or by the form).</summary>
    public static Task<IResponse> ClickAndWaitForConsentPostAsync(IPage page, ILocator button)
        => page.RunAndWaitForResponseAsync(
            () => button.ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/_fp/consent");

    /// <summary>The names of the cookies a response deletes (max-age=0 or an expiry in the past).</summary>
    public static async Task<HashSet<string>> DeletedCookiesAsync(IResponse response)
    {
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var header in await response.HeadersArrayAsync())
        {
            if (!header.Name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Playwright may join several Set-Cookie headers with newlines.
            foreach (var line in header.Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var cookie = Microsoft.Net.Http.Headers.SetCookieHeaderValue.Parse(line);
                if (cookie.MaxAge == TimeSpan.Zero || cookie.Expires < DateTimeOffset.UtcNow)
                {
                    deleted.Add(cookie.Name.ToString());
                }
            }
        }

        return deleted;
    }

    public static bool Granted(JsonElement state, string category) => state.GetProperty("categories").GetProperty(category).GetBoolean();

    public static bool ServiceGranted(JsonElement state, string service) => state.GetProperty("services").GetProperty(service).GetBoolean();

    /// <summary>Runs axe-core (WCAG 2.0-2.2 A and AA) on the page; the context must bypass CSP to inject it.</summary>
    public static async Task AssertNoAxeViolationsAsync(IPage page, string scenario)
    {
        await page.AddScriptTagAsync(new() { Path = AxeScriptPath.Value });
        var violations = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
              return result.violations.map(v => ({ id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }));
            }
            """);
        var problems = violations.EnumerateArray()
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("help").GetString()}):\n    "
                + string.Join("\n    ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString())))
            .ToList();
        Assert.True(problems.Count == 0, $"axe-core found {problems.Count} violation(s) {scenario}:\n" + string.Join("\n", problems));
    }

    private static string FindAxe() => NodeModules.Find(Path.Combine("axe-core", "axe.min.js"));
}
