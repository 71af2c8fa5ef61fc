using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The test kit (FirstParty.AspNetCore.Testing) as a site author uses it against the sample.</summary>
public sealed class TestKitTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task A_client_with_analytics_consent_gets_a_visitor_on_its_first_page()
    {
        using var client = factory.CreateClientWithConsent("analytics");

        using var page = await client.GetAsync("/");
        var state = await client.GetConsentStateAsync();

        Assert.NotNull(page.GetStoredCookie("_fp_id"));
        Assert.True(state.Decided);
        Assert.True(state.Categories["analytics"]);
        Assert.False(state.Categories["marketing"]);
        Assert.NotNull(state.Visitor);
        Assert.Equal(1, state.Visitor.SessionIndex);
    }

    [Fact]
    public async Task A_client_that_refused_gets_no_visitor_and_no_banner()
    {
        using var client = factory.CreateClientWithConsent();

        using var page = await client.GetAsync("/");
        var body = await page.Content.ReadAsStringAsync();
        var state = await client.GetConsentStateAsync();

        Assert.Null(page.GetStoredCookie("_fp_id"));
        Assert.DoesNotContain("data-fp-banner", body, StringComparison.Ordinal);
        Assert.True(state.Decided);
        Assert.Null(state.Visitor);
    }

    [Fact]
    public async Task A_browser_client_without_consent_sees_the_banner()
    {
        using var client = factory.CreateBrowserClient();

        using var page = await client.GetAsync("/");

        Assert.Contains("data-fp-banner", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await client.GetConsentStateAsync()).Decided);
    }

    [Fact]
    public async Task Fake_time_moves_a_visitor_into_a_new_session()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var timed = factory.WithWebHostBuilder(b => b.UseFakeTime(time));
        using var client = timed.CreateClientWithConsent("analytics");
        using (await client.GetAsync("/"))
        {
        }

        time.Advance(TimeSpan.FromMinutes(31));
        using var later = await client.GetAsync("/");
        var state = await client.GetConsentStateAsync();

        Assert.NotNull(later.GetStoredCookie("_fp_ses"));
        Assert.Equal(2, state.Visitor?.SessionIndex);
    }

    [Fact]
    public void Unknown_categories_are_refused_with_the_configured_list()
    {
        var error = Assert.Throws<ArgumentException>(() => ConsentCookies.Create(factory.Services, "ads"));

        Assert.Contains("analytics", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_can_be_granted_on_its_own()
    {
        var consent = ConsentCookies.Create(factory.Services, "marketing/youtube");
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_fp/consent");
        request.Headers.Add("Cookie", $"{consent}; VISITOR_INFO1_LIVE=kept; vuid=deleted");
        request.Headers.Add("Accept", "application/json");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.False(response.DeletesCookie("VISITOR_INFO1_LIVE"));
        Assert.True(response.DeletesCookie("vuid"));
        Assert.Contains("\"marketing\":false", body, StringComparison.Ordinal);
        Assert.Contains("\"decided\":true", body, StringComparison.Ordinal);
    }
}
