using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Two sister sites (two hosts of the Razor Pages sample sharing a Data Protection key ring): a
/// link from one carries the visitor id to the other, which adopts it only if its own consent
/// state allows, once, and always lands on the clean URL.
/// </summary>
public sealed class CrossDomainLinkingTests : IDisposable
{
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "firstparty-link-tests", Guid.NewGuid().ToString("N"));
    private readonly SampleFactory<IndexModel> _homeHost = new();
    private readonly SampleFactory<IndexModel> _shopHost = new();
    private readonly WebApplicationFactory<IndexModel> _home;
    private readonly WebApplicationFactory<IndexModel> _shop;

    public CrossDomainLinkingTests()
    {
        _home = Site(_homeHost);
        _shop = Site(_shopHost);
    }

    [Fact]
    public async Task A_visitor_followed_to_the_sister_site_keeps_its_id_there()
    {
        var (link, visitorId) = await LinkFromHomeAsync("https://shop.example.org/Menu?table=4");

        // The shop serves California here: OptOut, so the visitor cookie is allowed without a decision.
        var shopper = Browser(_shop, "https://shop.example.org");
        shopper.Headers["X-Region"] = "US-CA";
        var landing = await shopper.NavigateAsync(link.PathAndQuery);

        Assert.Equal(302, landing.Status);
        Assert.Equal("/Menu?table=4", landing.Location);
        Assert.NotNull(landing.Cookie("_fp_id"));
        Assert.Equal(visitorId, await VisitorIdAsync(shopper));
    }

    [Fact]
    public async Task The_same_link_a_second_time_hands_out_nothing()
    {
        var (link, visitorId) = await LinkFromHomeAsync("https://shop.example.org/");
        var first = Browser(_shop, "https://shop.example.org");
        first.Headers["X-Region"] = "US-CA";
        await first.NavigateAsync(link.PathAndQuery);

        var second = Browser(_shop, "https://shop.example.org");
        second.Headers["X-Region"] = "US-CA";
        var replay = await second.NavigateAsync(link.PathAndQuery);

        Assert.Equal(302, replay.Status);
        Assert.Null(replay.Cookie("_fp_id"));
        await second.NavigateAsync("/");
        Assert.NotEqual(visitorId, await VisitorIdAsync(second));
    }

    [Fact]
    public async Task Without_consent_on_the_receiving_site_the_id_is_not_adopted()
    {
        var (link, _) = await LinkFromHomeAsync("https://shop.example.org/");

        // OptIn and no decision yet on the shop: no visitor cookie may be set.
        var shopper = Browser(_shop, "https://shop.example.org");
        var landing = await shopper.NavigateAsync(link.PathAndQuery);

        Assert.Equal(302, landing.Status);
        Assert.Equal("/", landing.Location);
        Assert.Null(landing.Cookie("_fp_id"));
    }

    [Fact]
    public async Task A_forged_parameter_is_ignored_and_removed_from_the_url()
    {
        var shopper = Browser(_shop, "https://shop.example.org");
        shopper.Headers["X-Region"] = "US-CA";

        var landing = await shopper.NavigateAsync("/Menu?_fpl=forged-value&table=4");

        Assert.Equal(302, landing.Status);
        Assert.Equal("/Menu?table=4", landing.Location);
        Assert.Null(landing.Cookie("_fp_id"));
    }

    [Fact]
    public async Task The_parameter_is_removed_whatever_its_case_so_the_redirect_cannot_loop()
    {
        var shopper = Browser(_shop, "https://shop.example.org");

        var landing = await shopper.NavigateAsync("/Menu?_FPL=forged-value&table=4");

        Assert.Equal(302, landing.Status);
        Assert.Equal("/Menu?table=4", landing.Location);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example/")]
    public async Task A_link_parameter_on_a_path_that_is_not_local_never_redirects_off_the_site(string path)
    {
        // HttpClient would read these as other hosts: the path is set on the request itself.
        var context = await _shop.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Host = new Microsoft.AspNetCore.Http.HostString("shop.example.org");
            c.Request.Path = path;
            c.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?_fpl=x");
            c.Request.Headers.Accept = "text/html";
        });

        Assert.Equal(302, context.Response.StatusCode);
        Assert.Equal("/", context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task The_link_endpoint_only_goes_to_sister_sites_and_shares_nothing_without_consent()
    {
        var visitor = Browser(_home, "https://www.example.com");

        var elsewhere = await visitor.FetchAsync("/_fp/link?to=" + Uri.EscapeDataString("https://evil.example.net/"));
        var undecided = await visitor.FetchAsync("/_fp/link?to=" + Uri.EscapeDataString("https://shop.example.org/Menu"));

        Assert.Equal(400, elsewhere.Status);
        Assert.Equal(302, undecided.Status);
        Assert.Equal("https://shop.example.org/Menu", undecided.Location);
    }

    [Fact]
    public async Task Links_to_sister_sites_in_pages_go_through_the_link_endpoint()
    {
        var page = await Browser(_home, "https://www.example.com").NavigateAsync("/");

        Assert.Contains("href=\"/_fp/link?to=https%3A%2F%2Fshop.example.org%2F\"", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.example.org/\" fp-link", page.Body, StringComparison.Ordinal);
    }

    private async Task<(Uri Link, string VisitorId)> LinkFromHomeAsync(string target)
    {
        var visitor = Browser(_home, "https://www.example.com");
        await visitor.ChooseAsync("accept-all", "/");
        var visitorId = (await VisitorIdAsync(visitor))!;
        var hop = await visitor.FetchAsync("/_fp/link?to=" + Uri.EscapeDataString(target));
        Assert.Equal(302, hop.Status);
        var link = new Uri(hop.Location!);
        Assert.Equal("shop.example.org", link.Host);
        Assert.Contains("_fpl=", link.Query, StringComparison.Ordinal);
        return (link, visitorId);
    }

    private static async Task<string?> VisitorIdAsync(SampleClient browser)
    {
        var visitor = await browser.FetchAsync("/api/visitor");
        if (visitor.Status != 200)
        {
            return null;
        }

        using var json = JsonDocument.Parse(visitor.Body);
        return json.RootElement.GetProperty("visitorId").GetString();
    }

    private WebApplicationFactory<IndexModel> Site(SampleFactory<IndexModel> host) => host.WithWebHostBuilder(b => b
        .UseSetting("DataProtection:KeyDirectory", _keys)
        .UseSetting("FirstParty:Linking:Domains:0", "www.example.com")
        .UseSetting("FirstParty:Linking:Domains:1", "shop.example.org"));

    private static SampleClient Browser(WebApplicationFactory<IndexModel> site, string origin)
        => new(site.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(origin), HandleCookies = false, AllowAutoRedirect = false }));

    public void Dispose()
    {
        // Each disposes the host derived from it and removes both hosts' ledgers.
        _homeHost.Dispose();
        _shopHost.Dispose();
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }
}
