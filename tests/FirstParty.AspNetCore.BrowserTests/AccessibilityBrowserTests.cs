using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>axe-core (WCAG 2.2 AA) on the banner, its preferences and a placeholder, light and dark.</summary>
public sealed class AccessibilityBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    public static TheoryData<string> Schemes => ["light", "dark"];

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task The_banner_has_no_axe_violations(string scheme)
    {
        await using var context = await NewContextAsync(scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await WaitForAnimationsAsync(page);

        await AssertNoAxeViolationsAsync(page, $"with the banner shown ({scheme})");
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task The_open_preferences_have_no_axe_violations(string scheme)
    {
        await using var context = await NewContextAsync(scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.Locator(Customize).ClickAsync();
        await Expect(page.Locator(Save)).ToBeVisibleAsync();
        // The cookie lists too: every disclosure open.
        foreach (var summary in await page.Locator("[data-fp-banner] details.fp-cookies > summary").AllAsync())
        {
            await summary.ClickAsync();
        }

        await WaitForAnimationsAsync(page);

        await AssertNoAxeViolationsAsync(page, $"with the preferences open ({scheme})");
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task A_placeholder_has_no_axe_violations(string scheme)
    {
        await using var context = await NewContextAsync(scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Menu"));
        await Expect(page.Locator(YouTube)).ToBeVisibleAsync();
        await WaitForAnimationsAsync(page);

        await AssertNoAxeViolationsAsync(page, $"on /Menu with a placeholder ({scheme})");
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task The_reopened_preferences_and_the_privacy_centre_have_no_axe_violations(string scheme)
    {
        await using var context = await NewContextAsync(scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/Privacy"));
        await page.Locator(RejectAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await AssertNoAxeViolationsAsync(page, $"on the privacy centre ({scheme})");

        await page.Locator(OpenPreferences).ClickAsync();
        await Expect(page.Locator(Save)).ToBeVisibleAsync();
        await WaitForAnimationsAsync(page);

        await AssertNoAxeViolationsAsync(page, $"with the reopened preferences ({scheme})");
    }

    [Fact]
    public async Task The_check_itself_reports_a_violation()
    {
        // Guards the tests above: a page with an unlabelled image and faint text must fail.
        await using var context = await NewContextAsync("light");
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/favicon.png\"><p style=\"color:#eee\">faint</p>')");

        var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => AssertNoAxeViolationsAsync(page, "on a broken page"));

        Assert.Contains("image-alt", failure.Message, StringComparison.Ordinal);
        Assert.Contains("color-contrast", failure.Message, StringComparison.Ordinal);
    }

    private Task<IBrowserContext> NewContextAsync(string scheme) => site.Browser.NewContextAsync(new BrowserNewContextOptions
    {
        // axe-core is injected as a script tag: the sample's strict CSP would block it.
        BypassCSP = true,
        ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
    });

    // The banner slides in; colour contrast is measured on the settled page.
    private static Task WaitForAnimationsAsync(IPage page)
        => page.EvaluateAsync("() => Promise.all(document.getAnimations().map(a => a.finished))");
}
