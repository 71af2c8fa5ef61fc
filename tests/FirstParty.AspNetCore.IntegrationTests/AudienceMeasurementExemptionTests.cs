using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The audience-measurement exemption preset through the Razor Pages sample.</summary>
public sealed class AudienceMeasurementExemptionTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    private WebApplicationFactory<IndexModel> Exempt() => factory.WithWebHostBuilder(b => b
        .UseSetting("FirstParty:Consent:AudienceMeasurementExemption", "true")
        .UseSetting("FirstParty:Visitor:ExpirationMode", "Fixed")
        .UseSetting("FirstParty:Visitor:Lifetime", "395.00:00:00"));

    [Fact]
    public async Task Under_OptIn_the_visitor_cookie_is_set_before_a_decision_with_a_fixed_lifetime_and_analytics_stays_refused()
    {
        using var exempt = Exempt();
        using var client = exempt.CreateBrowserClient();

        using var page = await client.GetAsync("/");
        var state = await client.GetConsentStateAsync();

        var visitor = page.GetStoredCookie("_fp_id");
        Assert.NotNull(visitor);
        Assert.InRange(visitor.MaxAge!.Value, TimeSpan.FromDays(394), TimeSpan.FromDays(395));
        Assert.False(state.Decided);
        Assert.False(state.Categories["analytics"]);
        Assert.NotNull(state.Visitor);
        Assert.Contains("data-fp-banner", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_is_an_objection_and_removes_the_exempt_cookies()
    {
        using var exempt = Exempt();
        var browser = SampleClient.Create(exempt);
        await browser.NavigateAsync("/");
        Assert.True(browser.Cookies.ContainsKey("_fp_id"));

        var answer = await browser.ChooseAsync("reject-all");

        Assert.True(answer.Deletes("_fp_id"));
        Assert.True(answer.Deletes("_fp_ses"));
        Assert.Null((await browser.NavigateAsync("/")).Cookie("_fp_id"));
    }

    [Theory]
    [InlineData("Sliding", "395.00:00:00", "FirstParty:Visitor:ExpirationMode")]
    [InlineData("Fixed", "400.00:00:00", "FirstParty:Visitor:Lifetime")]
    public void The_preset_refuses_a_cookie_shape_the_exemption_does_not_allow(string mode, string lifetime, string option)
    {
        using var broken = factory.WithWebHostBuilder(b => b
            .UseSetting("FirstParty:Consent:AudienceMeasurementExemption", "true")
            .UseSetting("FirstParty:Visitor:ExpirationMode", mode)
            .UseSetting("FirstParty:Visitor:Lifetime", lifetime));

        var error = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("FirstParty:Consent:AudienceMeasurementExemption", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(option, error.ToString(), StringComparison.Ordinal);
    }
}
