using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RazorPagesSample.Data;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The staff insights page of the Razor Pages sample: only the "FirstPartyStaff" policy gets in,
/// the development sign-in opens it, and a data subject request (search, export, erase) works end
/// to end and leaves its trace in the sample's database.
/// </summary>
public sealed class InsightsSampleTests(SampleFactory<IndexModel> razor) : IClassFixture<SampleFactory<IndexModel>>
{
    private const string Page = "/_fp/insights";

    [Fact]
    public async Task Without_signing_in_the_page_and_its_actions_answer_401()
    {
        var browser = SampleClient.Create(razor);

        Assert.Equal(401, (await browser.NavigateAsync(Page)).Status);
        Assert.Equal(401, (await browser.NavigateAsync(Page + "/insights.css")).Status);
        var export = await browser.SendAsync(HttpMethod.Post, Page + "/export", new FormUrlEncodedContent([new("kind", "visitor"), new("id", "x")]));
        Assert.Equal(401, export.Status);
    }

    [Fact]
    public async Task A_signed_in_user_who_is_not_staff_gets_403()
    {
        using var factory = razor.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
            services.PostConfigure<AuthenticationOptions>(o => o.DefaultScheme = o.DefaultAuthenticateScheme = o.DefaultChallengeScheme = o.DefaultForbidScheme = HeaderUserHandler.SchemeName);
        }));
        var visitor = SampleClient.Create(factory);
        visitor.Headers["X-Test-User"] = "robin";

        Assert.Equal(403, (await visitor.NavigateAsync(Page)).Status);
        Assert.Equal(401, (await SampleClient.Create(factory).NavigateAsync(Page)).Status);
    }

    [Fact]
    public async Task The_development_sign_in_opens_the_page_with_its_charts()
    {
        var staff = await SignedInStaffAsync();

        var page = await staff.NavigateAsync(Page);

        Assert.Equal(200, page.Status);
        Assert.Equal("no-store", page.ResponseHeaders["Cache-Control"]);
        Assert.Equal(5, Regex.Count(page.Body, "<svg class=\"fpi-chart\""));
        Assert.DoesNotContain("<script", page.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Per instance since start", page.Body, StringComparison.Ordinal);
        Assert.Equal(200, (await staff.NavigateAsync(Page + "/insights.css")).Status);
    }

    [Fact]
    public async Task Staff_find_export_and_erase_a_visitors_receipts_and_each_action_is_recorded()
    {
        var person = SampleClient.Create(razor);
        await person.ChooseAsync("accept-all", "/");
        using var visitorJson = JsonDocument.Parse((await person.FetchAsync("/api/visitor")).Body);
        var visitorId = visitorJson.RootElement.GetProperty("visitorId").GetString()!;
        var staff = await SignedInStaffAsync();

        var found = await staff.PostFormAsync(Page, Page + "/search", ("kind", "visitor"), ("id", visitorId));
        Assert.Equal(200, found.Status);
        Assert.Contains("1 receipt for this visitor id", found.Body, StringComparison.Ordinal);

        var export = await staff.PostFormAsync(Page, Page + "/export", ("kind", "visitor"), ("id", visitorId));
        Assert.Equal(200, export.Status);
        Assert.Equal("application/json", export.ContentType);
        Assert.StartsWith("attachment; filename=consent-receipts-visitor-", export.ContentDisposition, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(export.Body))
        {
            Assert.Equal("ISO/IEC TS 27560:2023", document.RootElement.GetProperty("schemaVersion").GetString());
            var record = Assert.Single(document.RootElement.GetProperty("records").EnumerateArray());
            Assert.Equal(visitorId, record.GetProperty("visitorId").GetString());
            Assert.Equal("given", record.GetProperty("event").GetString());
        }

        var erased = await staff.PostFormAsync(Page, Page + "/erase", ("kind", "visitor"), ("id", visitorId), ("erasure", "delete"));
        Assert.Equal(303, erased.Status);
        Assert.Equal(Page + "?erased=1&erasure=delete", erased.Location);
        Assert.Contains("Erased 1 receipt.", (await staff.NavigateAsync(erased.Location!)).Body, StringComparison.Ordinal);
        var again = await staff.PostFormAsync(Page, Page + "/search", ("kind", "visitor"), ("id", visitorId));
        Assert.Contains("0 receipts for this visitor id", again.Body, StringComparison.Ordinal);

        // The log is in the sample's database, by name, action and a keyed hash: never the id.
        var options = new DbContextOptionsBuilder<SampleDbContext>().UseSqlite($"Data Source={razor.LedgerFile};Mode=ReadOnly;Pooling=False").Options;
        await using var db = new SampleDbContext(options);
        var actions = await db.StaffActions.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["search", "export", "erase", "search"], actions.Select(a => a.Action));
        Assert.Equal([1, 1, 1, 0], actions.Select(a => a.Count));
        Assert.All(actions, a => Assert.Equal("dev-staff", a.Staff));
        Assert.All(actions, a => Assert.Equal("Visitor", a.SubjectKind));
        Assert.Single(actions.Select(a => a.SubjectHash).Distinct());
        Assert.All(actions, a => Assert.DoesNotContain(visitorId, a.SubjectHash, StringComparison.Ordinal));
        Assert.DoesNotContain(visitorId, again.Body[again.Body.IndexOf("fpi-staff-actions", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_changes_nothing()
    {
        var staff = await SignedInStaffAsync();

        var erased = await staff.SendAsync(HttpMethod.Post, Page + "/erase", new FormUrlEncodedContent([new("kind", "visitor"), new("id", "someone"), new("erasure", "delete")]));

        Assert.Equal(400, erased.Status);
        Assert.Contains("The form has expired", erased.Body, StringComparison.Ordinal);
    }

    private async Task<SampleClient> SignedInStaffAsync()
    {
        var staff = SampleClient.Create(razor);
        var signedIn = await staff.PostFormAsync("/Staff/SignIn", "/Staff/SignIn");
        Assert.Equal(302, signedIn.Status);
        Assert.Equal(Page, signedIn.Location);
        return staff;
    }

    /// <summary>Signs in whoever the X-Test-User header names, with no role: a user who is not staff.</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "HeaderUser";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
            => Task.FromResult(Request.Headers["X-Test-User"].ToString() is { Length: > 0 } name
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName)), SchemeName))
                : AuthenticateResult.NoResult());
    }
}
