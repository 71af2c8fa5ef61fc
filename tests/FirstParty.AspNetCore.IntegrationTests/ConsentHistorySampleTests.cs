using System.Text.Json;
using FirstParty.AspNetCore.EntityFrameworkCore;
using MvcSample.Controllers;
using RazorPagesSample.Data;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Both samples keep a consent ledger in SQLite (Razor Pages in its own DbContext, MVC in the
/// ready-made ledger context): a decision made through the banner reaches the host's SQLite file
/// (read apart from the host, once the writer has flushed) and shows up in the browser's own
/// history, which the privacy centre links to.
/// </summary>
public sealed class ConsentHistorySampleTests(SampleFactory<IndexModel> razor, SampleFactory<HomeController> mvc)
    : IClassFixture<SampleFactory<IndexModel>>, IClassFixture<SampleFactory<HomeController>>
{
    [Fact]
    public async Task Razor_pages_the_privacy_centre_links_to_a_history_that_holds_the_banner_decision()
    {
        var browser = SampleClient.Create(razor);
        Assert.DoesNotContain("data-fp-history", (await browser.NavigateAsync("/Privacy")).Body, StringComparison.Ordinal);

        await browser.ChooseAsync("reject-all", "/Menu");
        var privacy = await browser.NavigateAsync("/Privacy");
        Assert.Contains("href=\"/_fp/consent/receipts?download\" download=\"consent-history.json\" data-fp-history", privacy.Body, StringComparison.Ordinal);

        var history = await browser.FetchAsync("/_fp/consent/receipts?download");
        using var json = JsonDocument.Parse(history.Body);
        var record = Assert.Single(json.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal("refused", record.GetProperty("event").GetString());
        Assert.Equal("/Menu", record.GetProperty("context").GetProperty("pagePath").GetString());
        Assert.Equal("consent", json.RootElement.GetProperty("subject").GetProperty("kind").GetString());

        var stored = Assert.Single(await SampleLedgerFile.ReceiptsAsync<SampleDbContext>(razor.LedgerFile, o => new(o), await ConsentIdAsync(browser)));
        Assert.Equal("reject-all", stored.Source);
        Assert.Equal("/Menu", stored.PagePath);
        Assert.Equal(record.GetProperty("recordId").GetString(), stored.ReceiptId);
    }

    [Fact]
    public async Task Razor_pages_after_accept_all_the_downloaded_proof_grants_every_service_the_state_grants()
    {
        var browser = SampleClient.Create(razor);
        await browser.ChooseAsync("accept-all", "/");

        using var state = JsonDocument.Parse((await browser.FetchAsync("/_fp/consent")).Body);
        using var history = JsonDocument.Parse((await browser.FetchAsync("/_fp/consent/receipts?download")).Body);
        var purposes = Assert.Single(history.RootElement.GetProperty("records").EnumerateArray())
            .GetProperty("purposes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("purpose").GetString()!, p => p.GetProperty("status").GetString()!);

        var reported = state.RootElement.GetProperty("categories").EnumerateObject()
            .Concat(state.RootElement.GetProperty("services").EnumerateObject())
            .ToDictionary(p => p.Name, p => p.Value.GetBoolean() ? "granted" : "refused");
        Assert.Contains("marketing/youtube", reported.Keys);
        Assert.All(reported.Values, status => Assert.Equal("granted", status));
        Assert.Equal(reported.OrderBy(p => p.Key), purposes.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Mvc_the_ready_made_ledger_context_keeps_the_decision()
    {
        var browser = SampleClient.Create(mvc);

        await browser.ChooseAsync("accept-all", "/");
        var history = await browser.FetchAsync("/_fp/consent/receipts");

        using var json = JsonDocument.Parse(history.Body);
        var record = Assert.Single(json.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal("given", record.GetProperty("event").GetString());
        Assert.All(record.GetProperty("purposes").EnumerateArray(), p => Assert.Equal("granted", p.GetProperty("status").GetString()));

        // In the file the ready-made context keeps, not only in the writer's queue.
        var stored = Assert.Single(await SampleLedgerFile.ReceiptsAsync<ConsentLedgerDbContext>(mvc.LedgerFile, o => new(o), await ConsentIdAsync(browser)));
        Assert.Equal("accept-all", stored.Source);
        Assert.Equal(string.Empty, stored.Denied);
        Assert.Contains("analytics", stored.Granted.Split(' '));
        Assert.Equal(record.GetProperty("recordId").GetString(), stored.ReceiptId);
    }

    private static async Task<string> ConsentIdAsync(SampleClient browser)
    {
        using var state = JsonDocument.Parse((await browser.FetchAsync("/_fp/consent")).Body);
        return state.RootElement.GetProperty("consentId").GetString()!;
    }
}
