using System.Text.Json;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The privacy centre's "Download my consent history" in Chromium: a JSON file with this browser's decisions.</summary>
public sealed class ConsentHistoryBrowserTests(SampleSiteFixture site) : IClassFixture<SampleSiteFixture>
{
    [Fact]
    public async Task The_privacy_centre_downloads_this_browsers_decisions()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        await page.Locator("[data-fp-banner] button[value='reject-all']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/Privacy"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-fp-history]").ClickAsync());

        Assert.Equal("consent-history.json", download.SuggestedFilename);
        using var history = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        var consentId = await page.Locator("[data-consent-id]").InnerTextAsync();
        Assert.Equal(consentId, history.RootElement.GetProperty("subject").GetProperty("id").GetString());
        var record = Assert.Single(history.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal("refused", record.GetProperty("event").GetString());
        Assert.Equal("/Menu", record.GetProperty("context").GetProperty("pagePath").GetString());
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
