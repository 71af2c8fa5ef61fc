using System.Text.Json;
using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The real SDKs keep state in browser storage (Snowplow's event queue; Amplitude's unsent events,
/// and page URLs and page-view id in sessionStorage): once analytics is refused, every page load clears the keys the profiles declare, and
/// forgetting clears the storage even with JavaScript off.
/// </summary>
public sealed class BrowserStorageBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string SdkKeys =
        """
        () => [
          ...Object.keys(localStorage).filter(k => k.startsWith('snowplowOutQueue_') || k.startsWith('AMP_unsent_')),
          ...Object.keys(sessionStorage).filter(k => k.startsWith('AMP_')).map(k => 'session:' + k),
        ].sort()
        """;

    [Fact]
    public async Task After_a_refusal_every_page_load_clears_the_sdks_storage_and_keeps_the_sites_own()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.Locator(AcceptAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);

        // The real SDKs write their queues, and Amplitude its page state, once they have tracked the page view.
        await page.WaitForFunctionAsync($"() => ({SdkKeys})().length == 4");
        var written = await page.EvaluateAsync<string[]>(SdkKeys);
        Assert.Equal(["AMP_unsent_a1b2c3d4e5", "session:AMP_PAGE_VIEW", "session:AMP_URL_INFO", "snowplowOutQueue_sp"], written);
        await page.EvaluateAsync("() => { localStorage.setItem('site-note', 'kept'); sessionStorage.setItem('site-step', '2'); }");

        // Refused on another page, where the SDKs are running and may write again after the refusal.
        await page.GotoAsync(site.Url("/Privacy"));
        await page.WaitForFunctionAsync("() => window.firstPartyTrackers?.snowplow && typeof amplitude !== 'undefined'");
        // Amplitude's diagnostics database (declared by the profile), opened by the real SDK, and one of
        // the site's own. The SDK holds its database open, so it can only go on the next page load.
        await page.EvaluateAsync("() => new Promise(done => { const r = indexedDB.open('site-db'); r.onsuccess = () => { r.result.close(); done(); }; })");
        await EventuallyAsync(() => page.EvaluateAsync<bool>("async () => (await indexedDB.databases()).some(d => d.name == 'AMP_diagnostics_a1b2c3d4e5')"), "the SDK opens its diagnostics database");
        await page.Locator("button[value='withdraw']").ClickAsync();
        await page.WaitForFunctionAsync("() => window.firstParty.getState().categories.analytics === false");
        await page.EvaluateAsync(
            "() => { localStorage.setItem('snowplowOutQueue_sp', '[]'); localStorage.setItem('AMP_unsent_a1b2c3d4e5', '[]'); sessionStorage.setItem('AMP_URL_INFO', '{}'); sessionStorage.setItem('AMP_PAGE_VIEW', '{}'); }");
        Assert.Equal(written, await page.EvaluateAsync<string[]>(SdkKeys));

        await page.ReloadAsync();

        Assert.Empty(await page.EvaluateAsync<string[]>(SdkKeys));
        Assert.Equal("kept", await page.EvaluateAsync<string>("() => localStorage.getItem('site-note')"));
        Assert.Equal("2", await page.EvaluateAsync<string>("() => sessionStorage.getItem('site-step')"));
        await EventuallyAsync(() => page.EvaluateAsync<bool>("async () => !(await indexedDB.databases()).some(d => d.name.startsWith('AMP_diagnostics_'))"), "the refused SDK's database is deleted");
        Assert.Contains("site-db", await page.EvaluateAsync<string[]>("async () => (await indexedDB.databases()).map(d => d.name)"));
    }

    [Fact]
    public async Task While_analytics_is_granted_the_sdks_storage_is_left_alone()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.Locator(AcceptAll).ClickAsync();
        await page.WaitForFunctionAsync($"() => ({SdkKeys})().length == 4");
        await page.EvaluateAsync("() => localStorage.setItem('snowplowOutQueue_other', '[]')");

        await page.ReloadAsync();

        Assert.Equal("[]", await page.EvaluateAsync<string>("() => localStorage.getItem('snowplowOutQueue_other')"));
    }

    [Fact]
    public async Task With_javascript_off_forget_clears_the_storage()
    {
        var origin = site.BaseAddress.GetLeftPart(UriPartial.Authority);
        var state = JsonSerializer.Serialize(new
        {
            cookies = Array.Empty<object>(),
            origins = new[]
            {
                new
                {
                    origin,
                    localStorage = new[]
                    {
                        new { name = "snowplowOutQueue_sp", value = "[]" },
                        new { name = "AMP_unsent_a1b2c3d4e5", value = "[]" },
                    },
                },
            },
        });
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, StorageState = state });
        Assert.Equal(2, await LocalStorageCountAsync(context, origin));
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Privacy"));

        // The page is already at /Privacy: wait for the forget answer itself, not for a URL that
        // matches before the form post has even left.
        var forgot = page.WaitForResponseAsync(r => r.Url.EndsWith("/_fp/forget", StringComparison.Ordinal) && r.Status == 303);
        await page.Locator("form[data-fp-forget] button").ClickAsync();
        await forgot;
        await page.WaitForURLAsync(site.Url("/Privacy"), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });

        await EventuallyAsync(async () => await LocalStorageCountAsync(context, origin) == 0, "localStorage is empty");
    }

    private static async Task<int> LocalStorageCountAsync(IBrowserContext context, string origin)
    {
        using var state = JsonDocument.Parse(await context.StorageStateAsync());
        return state.RootElement.GetProperty("origins").EnumerateArray()
            .Where(o => o.GetProperty("origin").GetString() == origin)
            .Sum(o => o.GetProperty("localStorage").GetArrayLength());
    }

    /// <summary>The cookie audit's browser mode over the sample (one context per consent state): scripts run, SDK storage is seen and matched.</summary>
    [Fact]
    public async Task The_cookie_audit_in_the_browser_passes_and_sees_what_the_sdks_write()
    {
        // Three states keep it quick; the HTTP audit of the sample visits every state.
        var report = await site.Browser.AuditCookiesAsync(
            site.BaseAddress, site.Services, ["/", "/Privacy"], [CookieAuditState.Undecided, CookieAuditState.RejectAll, CookieAuditState.AcceptAll]);

        report.AssertCompliant();
        Assert.Equal("browser", report.Mode);
        // Across the state's pages: an SDK may write after the first page settled, and storage persists.
        var accepted = report.States.Single(s => s.Name == "accept-all").Pages.SelectMany(p => p.Items).ToList();
        Assert.Contains(accepted, i => i.Kind == AuditedItemKind.LocalStorage && i.Name == "snowplowOutQueue_sp" && i.Category == "analytics");
        Assert.Contains(accepted, i => i.Kind == AuditedItemKind.SessionStorage && i.Name == "AMP_PAGE_VIEW" && i.Category == "analytics");

        // Amplitude's diagnostics database: undeclared until the audit found it.
        Assert.Contains(accepted, i => i.Kind == AuditedItemKind.IndexedDb && i.Name == "AMP_diagnostics_a1b2c3d4e5" && i.Category == "analytics");
        var id = accepted.First(i => i.Kind == AuditedItemKind.Cookie && i.Name == "_fp_id");
        Assert.True(id.HttpOnly);
        // Measured in the browser: the expiry the browser computed at the write, less the time since,
        // so it is 395 days only to within the page loads' seconds (rounded to the minute).
        Assert.InRange(id.Lifetime!.Value, TimeSpan.FromDays(395) - TimeSpan.FromMinutes(2), TimeSpan.FromDays(395) + TimeSpan.FromMinutes(2));
        Assert.DoesNotContain(report.States.Single(s => s.Name == "reject-all").Pages.SelectMany(p => p.Items), i => i.Category == "analytics");
    }

    /// <summary>
    /// A host of the sample whose test-only page runs a script that writes a key and a cookie before
    /// any decision: the browser audit fails naming them, the page and the state.
    /// </summary>
    [Fact]
    public async Task A_script_storing_before_consent_fails_the_browser_audit()
    {
        await using var host = new SampleFactory<RazorPagesSample.Pages.IndexModel>();
        var leaking = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new PreConsentScriptFilter())));
        leaking.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        leaking.StartServer();
        var address = new Uri(leaking.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var report = await site.Browser.AuditCookiesAsync(address, leaking.Services, ["/audit/leak"], [CookieAuditState.Undecided]);

        var error = Assert.Throws<CookieAuditException>(() => report.AssertNothingBeforeConsent());
        Assert.Contains("localStorage key 'ab_bucket' (undeclared) is stored before consent on /audit/leak in state undecided", error.Message, StringComparison.Ordinal);
        Assert.Contains("cookie 'ab_seen' (undeclared) is stored before consent on /audit/leak in state undecided", error.Message, StringComparison.Ordinal);
        Assert.Contains("| localStorage | ab_bucket | **undeclared** |", report.ToMarkdown(), StringComparison.Ordinal);
    }

    /// <summary>A page and its script, outside the sample's pipeline, that store before consent as a careless tag would.</summary>
    private sealed class PreConsentScriptFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/audit/leak.js", leak => leak.Run(context =>
            {
                context.Response.ContentType = "text/javascript";
                return context.Response.WriteAsync("localStorage.setItem('ab_bucket', 'b'); document.cookie = 'ab_seen=1; path=/; max-age=3600';");
            }));
            app.Map("/audit/leak", leak => leak.Run(context =>
            {
                context.Response.ContentType = "text/html";
                return context.Response.WriteAsync("<!doctype html><html lang=\"en\"><title>Leak</title><script src=\"/audit/leak.js\"></script></html>");
            }));
            next(app);
        };
    }
}
