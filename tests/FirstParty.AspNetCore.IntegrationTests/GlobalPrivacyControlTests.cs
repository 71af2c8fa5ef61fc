using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>Global Privacy Control through the Razor Pages sample (US-CA is OptOut there).</summary>
public sealed class GlobalPrivacyControlTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task Under_OptOut_the_signal_is_recorded_once_as_a_gpc_decision_with_a_receipt()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US-CA";
        browser.Headers["Sec-GPC"] = "1";

        var first = await browser.NavigateAsync("/");
        var second = await browser.NavigateAsync("/Menu");
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.NotNull(first.Cookie("_fp_consent"));
        Assert.NotNull(first.Cookie("_fp_id"));
        Assert.Null(second.Cookie("_fp_consent"));
        using var json = JsonDocument.Parse(state.Body);
        var root = json.RootElement;
        Assert.True(root.GetProperty("decided").GetBoolean());
        Assert.Equal("gpc", root.GetProperty("source").GetString());
        Assert.True(root.GetProperty("gpc").GetBoolean());
        Assert.False(root.GetProperty("categories").GetProperty("marketing").GetBoolean());
        Assert.True(root.GetProperty("categories").GetProperty("analytics").GetBoolean());

        // The receipt, as this browser reads its own history.
        var history = await browser.FetchAsync("/_fp/consent/receipts");
        using var receipts = JsonDocument.Parse(history.Body);
        var record = Assert.Single(receipts.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal(root.GetProperty("consentId").GetString(), record.GetProperty("consentId").GetString());
        Assert.Equal("gpc", record.GetProperty("collectionMethod").GetString());
        Assert.True(record.GetProperty("signals").GetProperty("globalPrivacyControl").GetBoolean());
        Assert.Contains(record.GetProperty("purposes").EnumerateArray(), p => p.GetProperty("purpose").GetString() == "marketing" && p.GetProperty("status").GetString() == "refused");
    }

    [Fact]
    public async Task An_explicit_choice_after_the_signal_is_honoured_as_made()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US-CA";
        browser.Headers["Sec-GPC"] = "1";
        await browser.NavigateAsync("/");

        await browser.ChooseAsync("accept-all");
        var state = await browser.FetchAsync("/_fp/consent");

        using var json = JsonDocument.Parse(state.Body);
        Assert.Equal("accept-all", json.RootElement.GetProperty("source").GetString());
        Assert.True(json.RootElement.GetProperty("categories").GetProperty("marketing").GetBoolean());
    }

    [Theory]
    [InlineData("US-CA")]
    [InlineData("FR")]
    public async Task The_signal_after_an_earlier_acceptance_refuses_marketing_with_one_gpc_receipt(string region)
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = region;
        await browser.NavigateAsync("/");
        await browser.ChooseAsync("accept-all");

        browser.Headers["Sec-GPC"] = "1";
        var signalled = await browser.NavigateAsync("/");
        await browser.NavigateAsync("/Menu");
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.NotNull(signalled.Cookie("_fp_consent"));
        using var json = JsonDocument.Parse(state.Body);
        var root = json.RootElement;
        Assert.Equal("gpc", root.GetProperty("source").GetString());
        Assert.False(root.GetProperty("categories").GetProperty("marketing").GetBoolean());
        Assert.False(root.GetProperty("services").GetProperty("marketing/youtube").GetBoolean());
        Assert.True(root.GetProperty("categories").GetProperty("analytics").GetBoolean());

        var history = await browser.FetchAsync("/_fp/consent/receipts");
        using var receipts = JsonDocument.Parse(history.Body);
        var records = receipts.RootElement.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["accept-all", "gpc"], records.Select(r => r.GetProperty("collectionMethod").GetString()));
        var refused = records[1].GetProperty("purposes").EnumerateArray()
            .Where(p => p.GetProperty("status").GetString() == "refused")
            .Select(p => p.GetProperty("purpose").GetString());
        Assert.Equal(["marketing", "marketing/youtube", "marketing/vimeo"], refused);
    }

    [Fact]
    public async Task Under_OptIn_nothing_is_recorded_because_nothing_optional_is_granted_anyway()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "FR";
        browser.Headers["Sec-GPC"] = "1";

        var visit = await browser.NavigateAsync("/");

        Assert.Null(visit.Cookie("_fp_consent"));
        Assert.Null(visit.Cookie("_fp_id"));
        Assert.Contains("data-fp-banner", visit.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_requests_never_record_a_decision()
    {
        var browser = SampleClient.Create(factory);
        browser.Headers["X-Region"] = "US-CA";
        browser.Headers["Sec-GPC"] = "1";

        var api = await browser.FetchAsync("/_fp/consent");

        Assert.Empty(api.SetCookies);
        using var json = JsonDocument.Parse(api.Body);
        Assert.False(json.RootElement.GetProperty("decided").GetBoolean());
        Assert.True(json.RootElement.GetProperty("gpc").GetBoolean());
    }
}
