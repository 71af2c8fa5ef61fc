using System.Net;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;cookie-table /&gt;</c>: the cookie declaration table of a cookie policy page.</summary>
public sealed class CookieTableTagHelperTests : IDisposable
{
    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private Task<Rendered> RenderAsync(HttpContext http, string? category = null, string culture = "en")
    {
        var helper = _test.Create<CookieTableTagHelper>();
        helper.Category = category;
        helper.ViewContext = TagHelperTestContext.ViewContextFor(http);
        return TagHelperTestContext.RunAsync(helper, "cookie-table", tagMode: TagMode.SelfClosing, culture: culture);
    }

    private static IReadOnlyList<string> Headers(string html)
        => [.. Regex.Matches(html, "<th scope=\"col\">(.*?)</th>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    /// <summary>Each row as (cookie, category key, cells) in document order.</summary>
    private static IReadOnlyList<(string Cookie, string Category, string[] Cells)> Rows(string html)
        => [.. Regex.Matches(html, "<tr data-cookie=\"([^\"]*)\" data-category=\"([^\"]*)\">(.*?)</tr>")
            .Select(m => (
                WebUtility.HtmlDecode(m.Groups[1].Value),
                m.Groups[2].Value,
                Regex.Matches(m.Groups[3].Value, "<td>(?:<code>)?(.*?)(?:</code>)?</td>").Select(c => WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray()))];

    private static string[] Row(string html, string cookie) => Assert.Single(Rows(html), r => r.Cookie == cookie).Cells;

    [Fact]
    public async Task Renders_a_table_with_the_six_columns()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal("table", rendered.Output.TagName);
        Assert.Equal("fp-cookie-table", TagHelperTestContext.Attribute(rendered.Output, "class"));
        Assert.Equal(["Cookie", "Provider", "Purpose", "Lifetime", "Category", "Party"], Headers(rendered.Html));
        Assert.Matches("^<table class=\"fp-cookie-table\"><thead><tr>.*</tr></thead><tbody>.*</tbody></table>$", rendered.Html);
    }

    [Fact]
    public async Task A_declared_third_party_cookie_gets_its_row()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(["VISITOR_INFO1_LIVE", "Google", "Video preferences.", "180 days", "Ads and videos", "Third party"], Row(rendered.Html, "VISITOR_INFO1_LIVE"));
        Assert.Single(Rows(rendered.Html), r => r.Cookie == "VISITOR_INFO1_LIVE" && r.Category == "marketing");
    }

    [Fact]
    public async Task FirstPartys_own_cookie_is_first_party_from_this_site()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        var row = Row(rendered.Html, "_fp_consent");
        Assert.Equal("This site", row[1]);
        Assert.Equal("395 days", row[3]);
        Assert.Equal("First party", row[5]);
    }

    [Theory]
    [InlineData("ui_theme", "Until the browser closes")]
    [InlineData("ui_tz", "3 hours")]
    [InlineData("ui_tip", "30 minutes")]
    [InlineData("vuid", "365 days")]
    public async Task Lifetimes_are_written_in_words(string cookie, string lifetime)
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(lifetime, Row(rendered.Html, cookie)[3]);
    }

    [Fact]
    public async Task Rows_follow_the_category_order_then_the_cookie_name()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rows = Rows((await RenderAsync(http)).Html);

        var order = new[] { "necessary", "preferences", "analytics", "marketing" };
        var categories = rows.Select(r => Array.IndexOf(order, r.Category)).ToList();
        Assert.DoesNotContain(-1, categories);
        Assert.Equal(categories.Order(), categories);
        Assert.Equal(["VISITOR_INFO1_LIVE", "vuid"], rows.Where(r => r.Category == "marketing").Select(r => r.Cookie));
        Assert.Equal(["ui_theme", "ui_tip", "ui_tz"], rows.Where(r => r.Category == "preferences" && r.Cookie.StartsWith("ui_", StringComparison.Ordinal)).Select(r => r.Cookie));
    }

    [Fact]
    public async Task A_category_filter_keeps_only_that_categorys_cookies()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rows = Rows((await RenderAsync(http, category: "marketing")).Html);

        Assert.Equal(["VISITOR_INFO1_LIVE", "vuid"], rows.Select(r => r.Cookie));
        Assert.All(rows, r => Assert.Equal("marketing", r.Category));
    }

    [Fact]
    public async Task A_filter_on_an_unknown_category_renders_an_empty_body()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, category: "social");

        Assert.Empty(Rows(rendered.Html));
        Assert.Contains("<tbody></tbody>", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_table_speaks_the_request_culture()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, category: "marketing", culture: "fr");

        var row = Row(rendered.Html, "VISITOR_INFO1_LIVE");
        Assert.Equal("180 jours", row[3]);
        Assert.Equal("Tiers", row[5]);
    }

    [Fact]
    public async Task Renders_without_the_middleware_too()
    {
        var http = _test.CreateHttpContext();

        var rendered = await RenderAsync(http, category: "marketing");

        Assert.Equal(2, Rows(rendered.Html).Count);
    }
}
