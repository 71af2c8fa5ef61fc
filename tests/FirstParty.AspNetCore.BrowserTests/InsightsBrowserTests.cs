using System.Text.Json;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The staff insights page in Chromium: closed to anyone not signed in, charts drawn as SVG from a
/// real decision, a person's receipts found, downloaded and erased, with no Content-Security-Policy
/// violation under the sample's strict policy and no axe-core violation.
/// </summary>
public sealed class InsightsBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    private const string Insights = "/_fp/insights";

    // Init scripts are exempt from CSP: they record every violation the page's document reports.
    private const string RecordViolations =
        """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
        """;

    [Fact]
    public async Task Staff_see_the_charts_download_a_visitors_receipts_and_erase_them_without_a_csp_violation()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();

        Assert.Equal(401, (await page.GotoAsync(site.Url(Insights)))!.Status);

        // A person decides on the banner; this browser is that person and then staff.
        await page.GotoAsync(site.Url("/"));
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        var visitorId = (await ServerVisitorAsync(page)).GetProperty("visitorId").GetString()!;
        await SignInAsync(page);

        // The receipt reaches the store in the background: the chart shows it once it is there.
        var accepted = page.Locator("#fpi-by-day rect.fpi-accept-all");
        for (var attempt = 0; attempt < 50 && await accepted.CountAsync() == 0; attempt++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }

        await Expect(accepted).ToHaveCountAsync(1);
        Assert.Equal(5, await page.Locator("svg.fpi-chart").CountAsync());
        Assert.Equal("img", await page.Locator("#fpi-by-day").GetAttributeAsync("role"));

        await page.Locator("select[name=kind]").SelectOptionAsync("visitor");
        await page.Locator("input[name=id]").FillAsync(visitorId);
        await page.Locator("button", new() { HasText = "Find receipts" }).ClickAsync();
        await Expect(page.Locator("#fpi-receipts tbody tr")).ToHaveCountAsync(1);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("button[data-action=export]").ClickAsync());
        Assert.StartsWith("consent-receipts-visitor-", download.SuggestedFilename, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
        {
            Assert.Equal("ISO/IEC TS 27560:2023", document.RootElement.GetProperty("schemaVersion").GetString());
            Assert.Equal(visitorId, Assert.Single(document.RootElement.GetProperty("records").EnumerateArray()).GetProperty("visitorId").GetString());
        }

        if (Environment.GetEnvironmentVariable("FIRSTPARTY_INSIGHTS_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        }

        await page.Locator("button[data-action=delete]").ClickAsync();
        await Expect(page.Locator(".fpi-message")).ToHaveTextAsync("Erased 1 receipt.");
        // Newest first (the other test may have searched before this one).
        var actions = await page.Locator("#fpi-staff-actions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)");
        Assert.Equal(["erase", "export", "search"], actions.Take(3));

        await page.Locator("input[name=id]").FillAsync(visitorId);
        await page.Locator("button", new() { HasText = "Find receipts" }).ClickAsync();
        await Expect(page.Locator("h3", new() { HasText = "0 receipts for this visitor id" })).ToBeVisibleAsync();

        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__cspViolations"));
    }

    [Fact]
    public async Task The_page_has_no_axe_violations()
    {
        // axe-core is injected as a script tag: the strict policy would block it.
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        var page = await context.NewPageAsync();
        await SignInAsync(page);
        await page.Locator("input[name=id]").FillAsync("someone");
        await page.Locator("button", new() { HasText = "Find receipts" }).ClickAsync();
        await Expect(page.Locator("#fpi-staff-actions tbody tr")).Not.ToHaveCountAsync(0);

        await AssertNoAxeViolationsAsync(page, "on the insights page");
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(site.Url("/Staff/SignIn"));
        await page.Locator("[data-staff-sign-in]").ClickAsync();
        await page.WaitForURLAsync(site.Url(Insights));
    }

    private static async Task<JsonElement> ServerVisitorAsync(IPage page)
    {
        var response = await page.Context.APIRequest.GetAsync(new Uri(new Uri(page.Url), "/api/visitor").ToString());
        return (await response.JsonAsync())!.Value;
    }
}
