using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The cookie audit (HTTP mode) run against the Razor Pages sample, as a site author would in CI.</summary>
public sealed class CookieAuditSampleTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    private static readonly string[] Paths = ["/", "/Privacy", "/Basket"];

    [Fact]
    public async Task The_sample_passes_the_audit_in_every_state()
    {
        var report = await factory.AuditCookiesAsync(Paths);
        File.WriteAllText("/tmp/razor-audit.md", report.ToMarkdown());
        File.WriteAllText("/tmp/razor-audit.json", report.ToJson());

        report.AssertCompliant();
    }
}
