using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// firstparty.js on a page updated in place, as Blazor's enhanced navigation does it: the new HTML is
/// merged into the document, its scripts never run, and Blazor raises <c>enhancedload</c> through its
/// own registry. A stand-in <c>window.Blazor</c> records the script's listener so the test can raise it.
/// </summary>
public sealed class EnhancedUpdateBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string FakeBlazor =
        "window.Blazor = { addEventListener: (name, callback) => (window.__blazorListeners ||= []).push([name, callback]) };";

    // What enhanced navigation does, reduced: fetch the page as Blazor does, merge the new body and the
    // new server-rendered state into this document (running none of its scripts), raise enhancedload.
    private const string EnhancedNavigation = """
        async path => {
            const html = await fetch(path, { headers: { accept: 'text/html; blazor-enhanced-nav=on' } }).then(r => r.text());
            const next = new DOMParser().parseFromString(html, 'text/html');
            const config = next.getElementById('fp-config');
            document.body.replaceWith(document.adoptNode(next.body));
            if (config && !document.getElementById('fp-config')) document.body.append(document.adoptNode(config));
            for (const [name, callback] of window.__blazorListeners) if (name === 'enhancedload') callback();
        }
        """;

    [Fact]
    public async Task After_an_enhanced_update_the_server_state_is_read_and_granted_scripts_run_with_one_listener()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(FakeBlazor);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForLoadStateAsync(LoadState.Load);
        await page.WaitForFunctionAsync("() => !!window.firstParty");

        // One listener, although the script looked for Blazor at start, on DOMContentLoaded and on load.
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__blazorListeners.filter(([n]) => n === 'enhancedload').length"));
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.inlineAnalytics ?? null"));

        // The person accepts elsewhere (another tab); this page learns of it only from the server's next HTML.
        var other = await context.NewPageAsync();
        await other.GotoAsync(site.Url("/Privacy"));
        await other.WaitForFunctionAsync("() => !!window.firstParty");
        await other.EvaluateAsync("() => window.firstParty.accept()");
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));

        await page.EvaluateAsync(EnhancedNavigation, "/Menu");

        await page.WaitForFunctionAsync("() => document.documentElement.dataset.inlineAnalytics === 'ran'");
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.getState().decided"));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync("() => window.firstPartyTrackers?.snowplow");
    }

    [Fact]
    public async Task After_an_enhanced_update_to_a_refusal_nothing_is_revived_and_refused_storage_is_cleared()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(FakeBlazor);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");

        var other = await context.NewPageAsync();
        await other.GotoAsync(site.Url("/Privacy"));
        await other.WaitForFunctionAsync("() => !!window.firstParty");
        await other.EvaluateAsync("() => window.firstParty.reject()");

        // A Snowplow key an SDK left behind earlier on this page: refused now, so it must go.
        await page.EvaluateAsync("() => localStorage.setItem('snowplowOutQueue_sp_post2', '[]')");
        await page.EvaluateAsync(EnhancedNavigation, "/Menu");

        await page.WaitForFunctionAsync("() => window.firstParty.getState().decided");
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('snowplowOutQueue_sp_post2')"));
        Assert.Null(await page.EvaluateAsync<string?>("() => document.documentElement.dataset.inlineAnalytics ?? null"));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
    }
}
