using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>The sample configured for the legacy amplitude-js 8 SDK (cookie <c>amp_{key6}</c>).</summary>
public sealed class LegacyAmplitudeSiteFixture : SampleSiteFixture
{
    protected override void ConfigureSite(IWebHostBuilder builder)
        => builder
            .UseSetting("FirstParty:Providers:Amplitude:Sdk", "AmplitudeJs")
            .UseSetting("FirstParty:Providers:Amplitude:ScriptUrl", "/sdk/amplitude-js/amplitude.umd.min.js")
            .UseSetting("FirstParty:Providers:Amplitude:ServerUrl", "/amp/")
            .UseSetting("FirstParty:Providers:Amplitude:Settings:fetchRemoteConfig", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:flushQueueSize", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:flushIntervalMillis", string.Empty)
            .UseSetting("FirstParty:Providers:Amplitude:Settings:eventUploadThreshold", "1");
}

/// <summary>
/// amplitude-js 8.21.10 from npm, served by the sample: it adopts the device id the server wrote in
/// <c>amp_a1b2c3</c>, sends it to the sample's stub, and gets it back after its cookie is deleted.
/// </summary>
public sealed class LegacyAmplitudeBrowserTests(LegacyAmplitudeSiteFixture site) : IClassFixture<LegacyAmplitudeSiteFixture>
{
    [Fact]
    public async Task Amplitude_js_adopts_the_server_visitor_id_as_its_device_id()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/Menu"));
        Assert.True(await page.EvaluateAsync<bool>("() => typeof amplitude === 'undefined'"));

        await page.Locator("[data-fp-banner] button[value='accept-all']").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-fp-banner]")).ToHaveCountAsync(0);
        var visitorId = (await page.EvaluateAsync<JsonElement>("() => fetch('/_fp/consent').then(r => r.json())")).GetProperty("visitor").GetProperty("id").GetString()!;

        Assert.Contains(await context.CookiesAsync(), c => c.Name == "amp_a1b2c3");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("AMP_", StringComparison.Ordinal));
        Assert.Equal(visitorId, await DeviceIdAsync(page));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Uri.UnescapeDataString(await page.EvaluateAsync<string>("() => fetch('/collector/events').then(r => r.text())")).Contains(visitorId, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "The stub never received an event with the server's id.");
            await Task.Delay(100);
        }

        await context.ClearCookiesAsync(new Microsoft.Playwright.BrowserContextClearCookiesOptions { Name = "amp_a1b2c3" });
        await page.GotoAsync(Url("/Menu"));
        Assert.Equal(visitorId, await DeviceIdAsync(page));
    }

    private static async Task<string> DeviceIdAsync(Microsoft.Playwright.IPage page)
    {
        await page.WaitForFunctionAsync("() => typeof amplitude !== 'undefined' && amplitude.getInstance().options.deviceId");
        return await page.EvaluateAsync<string>("() => amplitude.getInstance().options.deviceId");
    }

    private string Url(string path) => new Uri(site.BaseAddress, path).ToString();
}
