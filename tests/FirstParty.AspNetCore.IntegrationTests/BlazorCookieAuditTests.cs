using BlazorSample.Components;
using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The cookie audit (HTTP mode) run against the Blazor Web App sample.</summary>
public sealed class BlazorCookieAuditTests(SampleFactory<App> factory) : IClassFixture<SampleFactory<App>>
{
    [Fact]
    public async Task The_blazor_sample_passes_the_audit_in_every_state()
    {
        var report = await factory.AuditCookiesAsync(["/", "/server", "/privacy"]);

        report.AssertCompliant();
        Assert.All(report.States.Single(s => s.Name == "undecided").Pages, p => Assert.True(p.RejectOnFirstLayer));
        Assert.Contains(report.States.Single(s => s.Name == "analytics only").Pages[0].Items, i => i.Name == "_fp_id" && i.Category == "analytics");
        Assert.DoesNotContain(report.States.Single(s => s.Name == "undecided").Pages.SelectMany(p => p.Items), i => i.Name == "_fp_id");
    }
}
