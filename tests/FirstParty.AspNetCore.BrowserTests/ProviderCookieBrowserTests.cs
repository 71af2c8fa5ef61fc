using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// In Chromium, the SDK id cookies the server writes (Snowplow, Amplitude, GA4) are accepted on
/// 127.0.0.1, readable by page script as the SDKs read them, carry the server's visitor id, and
/// disappear when consent is withdrawn.
/// </summary>
public sealed class ProviderCookieBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    // SHA-1("127.0.0.1/") starts with dc78: on an IP address the tracker hashes the host itself.
    private const string SnowplowId = "_sp_id.dc78";

    [Fact]
    public async Task Accepting_gives_page_script_the_sdk_cookies_with_the_server_visitor_id_and_withdrawing_removes_them()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        Assert.DoesNotContain("_sp_id", await page.EvaluateAsync<string>("document.cookie"), StringComparison.Ordinal);

        // Accepted by the script (fetch, no reload): the cookies come with the JSON answer.
        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        var scriptVisible = await page.EvaluateAsync<string>("document.cookie");
        Assert.Contains(SnowplowId + "=", scriptVisible, StringComparison.Ordinal);
        Assert.Contains("AMP_a1b2c3d4e5=", scriptVisible, StringComparison.Ordinal);
        Assert.Contains("_ga=GA1.1.", scriptVisible, StringComparison.Ordinal);

        await page.GotoAsync(Url("/Privacy"));
        var visitorId = await page.Locator("[data-visitor-id]").InnerTextAsync();
        var snowplow = Assert.Single(await context.CookiesAsync(), c => c.Name == SnowplowId);
        Assert.StartsWith(visitorId + ".", snowplow.Value, StringComparison.Ordinal);
        Assert.False(snowplow.HttpOnly);
        Assert.Equal(visitorId, await page.Locator("[data-snowplow-id]").InnerTextAsync());
        Assert.Equal(visitorId, await page.Locator("[data-amplitude-id]").InnerTextAsync());

        // The click posts by script: navigating before its answer arrives would race the withdrawal.
        var withdrawal = await BrowserTestSupport.ClickAndWaitForConsentPostAsync(page, page.Locator("button[value='withdraw']"));
        Assert.True(withdrawal.Ok, $"POST /_fp/consent answered {withdrawal.Status}");
        await withdrawal.FinishedAsync();
        await page.GotoAsync(Url("/Privacy"));

        var left = await context.CookiesAsync();
        Assert.DoesNotContain(left, c => c.Name.StartsWith("_sp_", StringComparison.Ordinal) || c.Name.StartsWith("AMP_", StringComparison.Ordinal) || c.Name == "_ga");
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
