using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary><c>&lt;cookie-table /&gt;</c> on the sample's privacy and cookie policy pages.</summary>
public sealed class CookieTableTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task The_table_lists_every_declared_cookie_with_its_category_lifetime_and_party()
    {
        var browser = SampleClient.Create(factory);

        var privacy = await browser.NavigateAsync("/Privacy");

        Assert.Contains("<table class=\"fp-cookie-table\">", privacy.Body, StringComparison.Ordinal);
        Assert.Equal("First party", Cell(privacy.Body, "_fp_id", 5));
        Assert.Equal("395 days", Cell(privacy.Body, "_fp_id", 3));
        Assert.Equal("Analytics", Cell(privacy.Body, "_fp_id", 4));
        Assert.Equal("30 minutes", Cell(privacy.Body, "_fp_ses", 3));
        Assert.Equal("Third party", Cell(privacy.Body, "VISITOR_INFO1_LIVE", 5));
        Assert.Equal("Google", Cell(privacy.Body, "VISITOR_INFO1_LIVE", 1));
        Assert.Equal("Until the browser closes", Cell(privacy.Body, ".AspNetCore.Antiforgery.*", 3));
        Assert.Equal("Harbour Coffee", Cell(privacy.Body, "theme", 1));
        Assert.Equal("This site", Cell(privacy.Body, "_fp_consent", 1));
        Assert.Equal("Remembers the colour theme you picked.", Cell(privacy.Body, "theme", 2));
    }

    [Fact]
    public async Task Provider_cookies_are_listed_with_the_lifetime_the_server_writes_and_the_sdks_other_cookies_too()
    {
        var browser = SampleClient.Create(factory);
        var answer = await browser.ChooseAsync("accept-all");

        var privacy = await browser.NavigateAsync("/Privacy");

        // Snowplow's two-year default is capped at 400 days by browsers, and by the server.
        var written = Assert.Single(answer.SetCookies, c => c.Name.StartsWith("_sp_id.", StringComparison.Ordinal) && c.MaxAge > TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromDays(400), written.MaxAge);
        Assert.Equal("400 days", Cell(privacy.Body, "_sp_id.*", 3));
        Assert.Equal("365 days", Cell(privacy.Body, "AMP_a1b2c3d4e5", 3));

        // The legacy SDK's cookies and the probes are listed, so a visitor sees what refusal deletes.
        foreach (var name in new[] { "amp_a1b2c3", "amplitude_id_a1b2c3d4e5f60718293a4b5c6d7e8f90*", "amp_cookie_test*", "amplitude_cookie_test*", "amplitude_test*", "sp" })
        {
            Assert.Equal("Analytics", Cell(privacy.Body, name, 4));
        }

        Assert.Equal("Snowplow", Cell(privacy.Body, "sp", 1));
    }

    [Fact]
    public async Task A_category_table_lists_only_that_category_in_the_request_language()
    {
        var browser = SampleClient.Create(factory);

        var policy = await browser.NavigateAsync("/Cookies?culture=fr");

        var marketing = Regex.Match(policy.Body, "data-policy-category=\"marketing\".*?</table>", RegexOptions.Singleline).Value;
        Assert.Equal(["VISITOR_INFO1_LIVE", "vuid"], Regex.Matches(marketing, "<tr data-cookie=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("<th scope=\"col\">Fournisseur</th>", marketing, StringComparison.Ordinal);
        Assert.Contains("<td>Tiers</td>", marketing, StringComparison.Ordinal);
        Assert.Contains("Strictement nécessaires", policy.Body, StringComparison.Ordinal);
    }

    private static string Cell(string body, string cookie, int column)
    {
        var row = Regex.Match(body, $"<tr data-cookie=\"{Regex.Escape(cookie)}\"[^>]*>(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"no row for {cookie}");
        var cells = Regex.Matches(row.Groups[1].Value, "<td>(.*?)</td>", RegexOptions.Singleline);
        return Regex.Replace(cells[column].Groups[1].Value, "<[^>]+>", string.Empty);
    }
}
