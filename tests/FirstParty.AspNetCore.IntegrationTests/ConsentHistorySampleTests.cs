using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using MvcSample.Controllers;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Both samples keep a consent ledger in SQLite (Razor Pages in its own DbContext, MVC in the
/// ready-made ledger context): a decision made through the banner shows up in the browser's own
/// history, which the privacy centre links to.
/// </summary>
public sealed class ConsentHistorySampleTests(WebApplicationFactory<IndexModel> razor, WebApplicationFactory<HomeController> mvc)
    : IClassFixture<WebApplicationFactory<IndexModel>>, IClassFixture<WebApplicationFactory<HomeController>>
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
    }
}
