using FirstParty.AspNetCore.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
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

        report.AssertCompliant();
        Assert.Equal(["undecided", "reject-all", "accept-all", "preferences only", "analytics only", "marketing only"], report.States.Select(s => s.Name));
        var accepted = report.States.Single(s => s.Name == "accept-all").Pages[^1].Items;
        var visitor = Assert.Single(accepted, i => i.Name == "_fp_id");
        Assert.Equal(("analytics", "firstparty", true), (visitor.Category, visitor.Service, visitor.HttpOnly));
        Assert.Equal(TimeSpan.FromDays(395), visitor.Lifetime);
        Assert.Contains(accepted, i => i.Name == "_ga" && i.Provider == "Google");
        Assert.DoesNotContain(report.States.Single(s => s.Name == "reject-all").Pages.SelectMany(p => p.Items), i => i.Category == "analytics");
        Assert.Contains("| cookie | _fp_id | analytics | firstparty |", report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undeclared_cookie_fails_the_audit_naming_cookie_page_and_state()
    {
        using var leaking = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new UndeclaredCookieFilter())));

        var report = await leaking.AuditCookiesAsync(["/", "/Privacy"], [CookieAuditState.Undecided, CookieAuditState.RejectAll]);

        var undeclared = Assert.Throws<CookieAuditException>(() => report.AssertAllDeclared());
        Assert.Contains("cookie 'ab_bucket' is not declared, on /Privacy in state reject-all", undeclared.Message, StringComparison.Ordinal);
        var beforeConsent = Assert.Throws<CookieAuditException>(() => report.AssertNothingBeforeConsent());
        Assert.Contains("cookie 'ab_bucket' (undeclared) is stored before consent on / in state undecided", beforeConsent.Message, StringComparison.Ordinal);
        Assert.Contains("| cookie | ab_bucket | **undeclared** |", report.ToMarkdown(), StringComparison.Ordinal);
    }

    /// <summary>A test-only middleware that sets a cookie nobody declared, as a forgotten A/B test would.</summary>
    private sealed class UndeclaredCookieFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.Cookies.Append("ab_bucket", "b", new CookieOptions { Path = "/", MaxAge = TimeSpan.FromDays(30) });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
