using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// A refused service's declared cookie is deleted wherever a script or another server may have set
/// it: host-only and on every Domain the host can see, at <c>/</c> and at the declared path.
/// </summary>
public sealed class DeclaredCookieDeletionTests
{
    private static (ResponseCookieWriter Writer, HttpContext Context) Create(string host, string? siteDomain = null)
    {
        var options = new FirstPartyOptions();
        options.Cookies.Domain = siteDomain;
        var writer = new ResponseCookieWriter(Options.Create(options), new CookieDomainResolver(options.Cookies, PublicSuffixList.Embedded));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Scheme = "https";
        return (writer, context);
    }

    private static List<(string? Domain, string Path)> Places(HttpContext context, string name)
        => [.. SetCookieHeaderValue.ParseList([.. context.Response.Headers.SetCookie.Select(h => h!)])
            .Where(c => c.Name == name)
            .Select(c =>
            {
                Assert.Equal(TimeSpan.Zero, c.MaxAge);
                Assert.Equal(string.Empty, c.Value.ToString());
                return (c.Domain.Value, c.Path.Value!);
            })];

    [Fact]
    public void Every_domain_variant_is_deleted_at_the_root_and_at_the_declared_path()
    {
        var (writer, context) = Create("shop.www.example.co.uk", siteDomain: "www.example.co.uk");

        writer.DeleteDeclared(context, "widget", "widgets.example.net", "/basket");

        string?[] domains = [null, "shop.www.example.co.uk", "www.example.co.uk", "example.co.uk", "widgets.example.net"];
        Assert.Equal(
            domains.SelectMany(d => new[] { (d, "/"), (d, "/basket") }).Order().ToList(),
            Places(context, "widget").Order().ToList());
    }

    [Fact]
    public void Without_a_declared_path_or_domain_only_the_root_is_used_and_nothing_is_repeated()
    {
        var (writer, context) = Create("example.com");

        writer.DeleteDeclared(context, "widget", null, "/");

        Assert.Equal([(null, "/"), ("example.com", "/")], Places(context, "widget"));
    }

    [Fact]
    public void A_single_label_host_is_deleted_host_only_and_as_its_own_domain()
    {
        // Snowplow on localhost sets Domain=localhost, which a host-only deletion would not remove.
        var (writer, context) = Create("localhost");

        writer.DeleteDeclared(context, "_sp_id.1fff", null, null);

        Assert.Equal([(null, "/"), ("localhost", "/")], Places(context, "_sp_id.1fff"));
    }

    [Fact]
    public void An_ip_address_gets_host_only_deletions_and_a_host_prefixed_name_only_its_own()
    {
        var (writer, context) = Create("127.0.0.1");
        writer.DeleteDeclared(context, "widget", null, "/basket");
        Assert.Equal([(null, "/"), (null, "/basket")], Places(context, "widget"));

        (writer, context) = Create("www.example.com");
        writer.DeleteDeclared(context, "__Host-widget", null, "/basket");
        Assert.Equal([(null, "/")], Places(context, "__Host-widget"));
    }

    [Theory]
    [InlineData("basket")]
    [InlineData("/basket; domain=evil.example")]
    [InlineData("/a b")]
    public void A_path_that_could_break_the_header_is_never_written(string path)
    {
        var (writer, context) = Create("127.0.0.1");

        writer.DeleteDeclared(context, "widget", null, path);

        Assert.Equal([(null, "/")], Places(context, "widget"));
    }

    [Fact]
    public async Task A_refused_service_cookie_on_a_sub_path_is_deleted_there_on_every_domain_variant()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.BaseAddress = new Uri("http://www.example.com/");
            o.Configuration["FirstParty:Consent:Regime"] = "OptIn";
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Key"] = "widget";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Name"] = "widget_*";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Path"] = "/page";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Domain"] = "widgets.example.net";
        });

        // The browser sends a /page cookie only under /page, so that is where it is deleted; twice
        // sent (host-only and domain copies), it is deleted once per place.
        var visit = await app.NavigateAsync("/page", configure: r => r.Headers.Add("Cookie", "widget_a=1; widget_a=2"));

        var deletions = visit.SetCookies.Where(c => c.Name == "widget_a").ToList();
        Assert.All(deletions, c => Assert.Equal(TimeSpan.Zero, c.MaxAge));
        string?[] domains = [null, "www.example.com", "example.com", "widgets.example.net"];
        Assert.Equal(
            domains.SelectMany(d => new[] { (d, "/"), (d, "/page") }).Order().ToList(),
            deletions.Select(c => (c.Domain.Value, c.Path.Value!)).Order().ToList());
    }

    [Fact]
    public async Task A_declared_path_that_is_not_a_path_stops_the_app_naming_the_key()
    {
        var error = await OptionsHost.AssertStartFailsAsync(
            ("FirstParty:Consent:Categories:0:Key", "necessary"),
            ("FirstParty:Consent:Categories:0:Required", "true"),
            ("FirstParty:Consent:Categories:1:Key", "analytics"),
            ("FirstParty:Consent:Categories:2:Key", "marketing"),
            ("FirstParty:Consent:Categories:2:Services:0:Key", "widget"),
            ("FirstParty:Consent:Categories:2:Services:0:Cookies:0:Name", "widget"),
            ("FirstParty:Consent:Categories:2:Services:0:Cookies:0:Path", "/page; domain=evil.example"));

        Assert.Equal(["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Path must be a path starting with '/' (no ';', ',', quotes or spaces); it is '/page; domain=evil.example'."], error.Failures);
    }
}
