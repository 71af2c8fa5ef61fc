using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The banner with the keyboard alone: reachable, operable, with a visible focus indicator.</summary>
public sealed class KeyboardBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    // A focus indicator: an outline that is drawn, or a box shadow.
    private const string FocusIndicator =
        """
        () => {
          const s = getComputedStyle(document.activeElement);
          return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
        }
        """;

    [Fact]
    public async Task Tab_from_the_top_reaches_every_banner_button_with_a_visible_focus_indicator()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");

        var reached = new List<string>();
        for (var i = 0; i < 6 && !reached.Contains("summary"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>(
                "() => { const e = document.activeElement; return e.closest('[data-fp-banner]') ? (e.value || e.localName) : 'outside:' + e.localName; }");
            reached.Add(focused);
            if (focused is "accept-all" or "reject-all" or "summary")
            {
                Assert.True(await page.EvaluateAsync<bool>(FocusIndicator), $"no visible focus indicator on {focused}");
            }
        }

        // The banner comes first in the document, so it comes first in the tab order.
        Assert.DoesNotContain(reached, r => r.StartsWith("outside:", StringComparison.Ordinal));
        Assert.Contains("accept-all", reached);
        Assert.Contains("reject-all", reached);
        Assert.Contains("summary", reached);
        Assert.True(reached.IndexOf("accept-all") < reached.IndexOf("reject-all"));
    }

    [Fact]
    public async Task Enter_on_reject_all_decides_and_moves_focus_to_the_main_content()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.EvaluateAsync(SetMarker);
        await TabToAsync(page, RejectAll);

        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        Assert.Contains("_fp_consent", await context.CookieNamesAsync());
        Assert.DoesNotContain("_fp_id", await context.CookieNamesAsync());
        // The focused button is gone: focus must not fall back to the body.
        await Expect(page.Locator("main")).ToBeFocusedAsync();
    }

    [Theory]
    [InlineData("Enter")]
    [InlineData(" ")]
    public async Task Customize_opens_from_the_keyboard_and_Escape_closes_it_back_onto_its_summary(string key)
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        var details = page.Locator("[data-fp-banner] details[data-fp-preferences]");
        await TabToAsync(page, Customize);
        Assert.True(await page.EvaluateAsync<bool>(FocusIndicator), "no visible focus indicator on Customize");

        await page.Keyboard.PressAsync(key);

        await Expect(details).ToHaveJSPropertyAsync("open", true);
        // Past the necessary category (disabled) and its cookie list to the first checkbox that can change.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("[data-fp-banner] input[name='category'][value='preferences']")).ToBeFocusedAsync();
        Assert.True(await page.EvaluateAsync<bool>(FocusIndicator), "no visible focus indicator on a checkbox");
        await page.Keyboard.PressAsync(" ");
        await Expect(page.Locator("[data-fp-banner] input[name='category'][value='preferences']")).ToBeCheckedAsync();

        await page.Keyboard.PressAsync("Escape");

        await Expect(details).ToHaveJSPropertyAsync("open", false);
        await Expect(page.Locator(Customize)).ToBeFocusedAsync();
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Escape_closes_the_reopened_preferences_and_returns_focus_to_the_footer_link()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.Locator(RejectAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.Locator(OpenPreferences).FocusAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-fp-banner] input[name='category'][value='preferences']")).ToBeFocusedAsync();
        Assert.True(await page.EvaluateAsync<bool>(FocusIndicator), "no visible focus indicator on the focused checkbox");
        await page.Keyboard.PressAsync("Escape");

        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await Expect(page.Locator(OpenPreferences)).ToBeFocusedAsync();
        Assert.True(await page.EvaluateAsync<bool>(FocusIndicator), "no visible focus indicator on the footer link");
    }

    private static async Task TabToAsync(IPage page, string selector)
    {
        var target = page.Locator(selector);
        for (var i = 0; i < 10; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached {selector}");
    }
}
