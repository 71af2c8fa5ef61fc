using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The sample with <c>FirstParty:Banner:Layout</c> set to <c>Dialog</c>.</summary>
public sealed class DialogSiteFixture : SampleSiteFixture
{
    protected override void ConfigureSite(IWebHostBuilder builder)
        => builder.UseSetting("FirstParty:Banner:Layout", "Dialog");
}

/// <summary>
/// The Dialog layout with the script: a modal that keeps Tab and Shift+Tab inside it, that Escape
/// never dismisses without a choice, and that a reopened copy gives focus back when Escape removes it.
/// </summary>
public sealed class DialogBannerBrowserTests(DialogSiteFixture site) : IClassFixture<DialogSiteFixture>
{
    private const string PolicyLink = "[data-fp-banner] a.fp-link";

    // Where the focus is: "in:{n}" for the banner's n-th element, "outside:{tag}" anywhere else.
    private const string FocusedPlace =
        """
        () => {
          const banner = document.querySelector('[data-fp-banner]');
          const focused = document.activeElement;
          return banner && focused !== banner && banner.contains(focused)
            ? 'in:' + [...banner.querySelectorAll('*')].indexOf(focused)
            : 'outside:' + (focused?.localName ?? 'none');
        }
        """;

    [Fact]
    public async Task The_dialog_takes_focus_and_Tab_cycles_through_it_without_reaching_the_page()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        var banner = page.Locator(Banner);
        await Expect(banner).ToHaveAttributeAsync("role", "dialog");
        await Expect(banner).ToHaveAttributeAsync("aria-modal", "true");
        await Expect(page.Locator(AcceptAll)).ToBeFocusedAsync();

        var forward = await CycleAsync(page, "Tab");
        var backward = await CycleAsync(page, "Shift+Tab");

        // The policy link, both buttons and Customize: from the last Tab goes to the first, never the page.
        string[] expected =
        [
            await PlaceOfAsync(page, RejectAll),
            await PlaceOfAsync(page, Customize),
            await PlaceOfAsync(page, PolicyLink),
            await PlaceOfAsync(page, AcceptAll),
        ];
        Assert.Equal(expected, forward);
        Assert.Equal(forward.AsEnumerable().Reverse().Skip(1).Append(forward[^1]), backward);

        // Focus moved to the page behind (by a click or a script): the next Tab brings it back in.
        await page.Locator("header a.brand").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(PolicyLink)).ToBeFocusedAsync();
        await page.Locator("header a.brand").FocusAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(page.Locator(Customize)).ToBeFocusedAsync();
    }

    [Fact]
    public async Task With_the_preferences_open_Tab_and_Shift_Tab_stay_in_the_dialog_across_the_checkboxes()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.Locator(Customize).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-fp-banner] details[data-fp-preferences]")).ToHaveJSPropertyAsync("open", true);

        var forward = await CycleAsync(page, "Tab");
        var backward = await CycleAsync(page, "Shift+Tab");

        // Every category checkbox that can change and the Save button are in the cycle.
        foreach (var selector in new[]
        {
            "[data-fp-banner] input[name='category'][value='preferences']",
            "[data-fp-banner] input[name='category'][value='analytics']",
            "[data-fp-banner] input[name='category'][value='marketing']",
            Save,
        })
        {
            Assert.Contains(await PlaceOfAsync(page, selector), forward);
        }

        Assert.Equal(forward.AsEnumerable().Reverse().Skip(1).Append(forward[^1]), backward);
    }

    [Fact]
    public async Task Escape_closes_the_preferences_but_never_dismisses_the_undecided_dialog()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        var details = page.Locator("[data-fp-banner] details[data-fp-preferences]");
        await Expect(page.Locator(AcceptAll)).ToBeFocusedAsync();

        // Closed preferences: Escape changes nothing, there is no choice to fall back on.
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await Expect(page.Locator(AcceptAll)).ToBeFocusedAsync();

        await page.Locator(Customize).ClickAsync();
        await Expect(details).ToHaveJSPropertyAsync("open", true);
        await page.Locator("[data-fp-banner] input[name='category'][value='marketing']").FocusAsync();
        await page.Keyboard.PressAsync("Escape");

        await Expect(details).ToHaveJSPropertyAsync("open", false);
        await Expect(page.Locator(Customize)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await Expect(page.Locator(Banner)).ToHaveAttributeAsync("aria-modal", "true");
        Assert.DoesNotContain("_fp_consent", await context.CookieNamesAsync());
        // Still trapped after Escape: Tab from Customize wraps to the first element of the dialog.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(PolicyLink)).ToBeFocusedAsync();
    }

    [Fact]
    public async Task The_reopened_dialog_traps_Tab_and_Escape_removes_it_and_returns_focus_to_the_footer_link()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.Locator(RejectAll).ClickAsync();
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.Locator(OpenPreferences).FocusAsync();

        await page.Keyboard.PressAsync("Enter");

        var banner = page.Locator(Banner);
        await Expect(banner).ToHaveAttributeAsync("aria-modal", "true");
        await Expect(banner).ToHaveAttributeAsync("role", "dialog");
        await Expect(page.Locator("[data-fp-banner] input[name='category'][value='preferences']")).ToBeFocusedAsync();
        var forward = await CycleAsync(page, "Tab");
        Assert.Contains(await PlaceOfAsync(page, Save), forward);
        await CycleAsync(page, "Shift+Tab");

        await page.Keyboard.PressAsync("Escape");

        await Expect(banner).ToHaveCountAsync(0);
        await Expect(page.Locator(OpenPreferences)).ToBeFocusedAsync();
        Assert.False(Granted(await ServerStateAsync(page), "analytics"));
    }

    /// <summary>
    /// Presses the key until focus is back where it started, failing if it ever lands outside the
    /// banner; returns the places visited, ending with the start.
    /// </summary>
    private static async Task<List<string>> CycleAsync(IPage page, string key)
    {
        var start = await page.EvaluateAsync<string>(FocusedPlace);
        Assert.StartsWith("in:", start, StringComparison.Ordinal);
        var visited = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync(key);
            var place = await page.EvaluateAsync<string>(FocusedPlace);
            Assert.True(place.StartsWith("in:", StringComparison.Ordinal), $"{key} left the dialog for {place} after {string.Join(", ", visited)}");
            visited.Add(place);
            if (place == start)
            {
                return visited;
            }
        }

        Assert.Fail($"{key} never came back to where it started: {string.Join(", ", visited)}");
        return visited;
    }

    private static Task<string> PlaceOfAsync(IPage page, string selector)
        => page.Locator(selector).EvaluateAsync<string>(
            "e => 'in:' + [...document.querySelector('[data-fp-banner]').querySelectorAll('*')].indexOf(e)");
}
