using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The sample sends a strict nonce-based Content-Security-Policy (no 'unsafe-inline'): every script
/// FirstParty renders, revives or fetches must run under it without a single violation.
/// </summary>
public sealed class ContentSecurityPolicyBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    // Init scripts are exempt from CSP: they record every violation the page's document reports.
    private const string RecordViolations =
        """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber
            + ' ' + (e.target.outerHTML || '').slice(0, 160)));
        """;

    [Fact]
    public async Task The_sample_sends_a_strict_policy()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(site.Url("/"));

        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Matches("script-src 'self' 'nonce-[^']+'", policy);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_violation_from_first_load_through_allow_accept_and_reopen()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                consoleErrors.Add(message.Text);
            }
        };
        var violations = new List<string>();
        async Task CollectAsync(string step)
            => violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__cspViolations")).Select(v => step + ": " + v));

        // 1. First load of a page with a placeholder, the banner and inert scripts.
        await page.GotoAsync(site.Url("/Menu"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await CollectAsync("first load");

        // 2. Allow once: the embed comes out of its template.
        await page.Locator($"{YouTube} button[data-fp-allow='once']").ClickAsync();
        await Expect(page.FrameLocator("iframe[src^='/embed/roasting']").Locator("p")).ToHaveTextAsync("Video: how we roast");
        await CollectAsync("allow once");

        // 3. Accept all: the gated external and inline scripts are revived with the nonce and run.
        await page.Locator(AcceptAll).ClickAsync();
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.analytics === 'loaded' && document.documentElement.dataset.inlineAnalytics === 'ran'");
        await CollectAsync("accept all");

        // 4. Reopen the preferences: the banner is fetched and lifted into the page.
        await page.Locator(OpenPreferences).ClickAsync();
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await page.Locator("[data-fp-banner] input[name='category'][value='marketing']").UncheckAsync();
        await page.Locator("[data-fp-banner] input[name='category'][value='preferences']").UncheckAsync();
        await page.Locator(Save).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await CollectAsync("reopen and save");

        // 5. A fresh page after the change: placeholder again, always allow swaps the embed in; the
        //    preferences block on the home page comes out of its template when preferences are allowed.
        await page.GotoAsync(site.Url("/Menu"));
        await page.Locator($"{YouTube} button[data-fp-allow='always']").ClickAsync();
        await Expect(page.FrameLocator("iframe[src^='/embed/roasting']").Locator("p")).ToHaveTextAsync("Video: how we roast");
        await CollectAsync("always allow");
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync("() => window.firstParty.accept()");
        await Expect(page.Locator("p[data-recommendation]")).ToBeVisibleAsync();
        await CollectAsync("consent block");

        // A page loaded after consent renders the gated inline script as written: it too carries the nonce.
        await page.ReloadAsync();
        await Expect(page.Locator("html[data-inline-analytics='ran']")).ToHaveCountAsync(1);
        await CollectAsync("reload after consent");

        Assert.True(violations.Count == 0, "CSP violations:\n" + string.Join("\n", violations));
        Assert.True(consoleErrors.Count == 0, "CSP console errors:\n" + string.Join("\n", consoleErrors));
    }

    [Fact]
    public async Task The_recorder_does_see_a_violation()
    {
        // Guards the test above: an inline script without the nonce must be reported.
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));

        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.text = 'window.__injected = 1'; document.body.append(s); }");

        await page.WaitForFunctionAsync("() => window.__cspViolations.length > 0");
        Assert.False(await page.EvaluateAsync<bool>("() => window.__injected === 1"));
    }
}
