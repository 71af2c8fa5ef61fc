using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.WebUtilities;

namespace FirstParty.AspNetCore.Tests.Collector;

public sealed class GoogleAnalyticsCollectorTests
{
    private const string Endpoint = "/ga4/g/collect";

    /// <summary>The shared parameters of a gtag.js page view (§3.1), with the SDK's own client id and a client-chosen _uip.</summary>
    private const string GtagQuery = "?v=2&tid=" + VendorTestHost.MeasurementId + "&gtm=45je5190v9&_p=1767614400123&gcd=13l3l3l3l1l1&npa=0&cid=1234567890.1700000000"
        + "&ul=en-us&sr=1920x1080&_s=1&sid=1767614400&sct=3&seg=1&dl=https%3A%2F%2Fshop.example%2Fcart%3Fa%3D1&dr=https%3A%2F%2Fsearch.example%2F&dt=Cart%20%C3%A9t%C3%A9"
        + "&_uip=198.51.100.9";

    [Fact]
    public async Task A_single_event_hit_is_forwarded_with_the_server_client_id_and_the_anonymized_ip()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var replaced = host.App.CollectMetric("firstparty.collector.ids.replaced");
        var (jar, _) = await host.VisitAsync();
        var clientId = VendorTestHost.GoogleClientId(jar);

        var answer = await host.PostAsync(Endpoint + GtagQuery + "&en=page_view&_ee=1", string.Empty, "text/plain;charset=UTF-8", jar, r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.10"));

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Empty(answer.RawSetCookies);
        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Get, call.Method);
        Assert.Equal("https://region1.google-analytics.test/g/collect", call.Uri.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(call.Uri.Query);
        Assert.Equal("2", query["v"]);
        Assert.Equal(VendorTestHost.MeasurementId, query["tid"]);
        Assert.Equal(clientId, query["cid"]);
        Assert.Equal("page_view", query["en"]);
        Assert.Equal("https://shop.example/cart?a=1", query["dl"]);
        Assert.Equal("Cart été", query["dt"]);
        Assert.Equal("1767614400", query["sid"]);
        Assert.Equal("203.0.113.0", query["_uip"]);
        Assert.Equal(VendorTestHost.UserAgent, VendorTestHost.UserAgentOf(call));
        Assert.Null(call.Header("Cookie"));
        Assert.Null(call.Header("X-Forwarded-For"));
        Assert.Equal(1, replaced.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_batched_hit_keeps_one_event_per_line_and_replaces_line_client_ids()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var accepted = host.App.CollectMetric("firstparty.collector.accepted");
        var (jar, _) = await host.VisitAsync();
        var clientId = VendorTestHost.GoogleClientId(jar);
        const string Lines = "en=scroll&epn.percent_scrolled=90&_et=1500\nen=click&ep.link_url=https%3A%2F%2Fother.example%2F&cid=999.888&_uip=192.0.2.1";

        var answer = await host.PostAsync(Endpoint + GtagQuery, Lines, "text/plain;charset=UTF-8", jar);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.StartsWith("text/plain", call.ContentType, StringComparison.Ordinal);
        Assert.Equal(clientId, QueryHelpers.ParseQuery(call.Uri.Query)["cid"]);
        var lines = call.Body.Split('\n').Select(l => QueryHelpers.ParseQuery(l)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("scroll", lines[0]["en"]);
        Assert.Equal("90", lines[0]["epn.percent_scrolled"]);
        Assert.Equal("click", lines[1]["en"]);
        Assert.Equal("https://other.example/", lines[1]["ep.link_url"]);
        Assert.Equal(clientId, lines[1]["cid"]);
        Assert.False(lines[1].ContainsKey("_uip"));
        Assert.Equal(2, accepted.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_get_hit_is_accepted()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.GetAsync(Endpoint + GtagQuery + "&en=page_view", jar);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal("page_view", QueryHelpers.ParseQuery(Assert.Single(await host.Upstream.WaitForAsync(1)).Uri.Query)["en"]);
    }

    [Theory]
    [InlineData("None", null)]
    [InlineData("Full", VendorTestHost.ClientIp)]
    public async Task The_uip_parameter_follows_the_setting_and_never_the_clients(string forwarding, string? expected)
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:GoogleAnalytics:IpForwarding"] = forwarding);
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint + GtagQuery + "&en=page_view", string.Empty, "text/plain", jar);

        var query = QueryHelpers.ParseQuery(Assert.Single(await host.Upstream.WaitForAsync(1)).Uri.Query);
        Assert.Equal(expected, query.TryGetValue("_uip", out var uip) ? uip.ToString() : null);
    }

    [Fact]
    public async Task The_user_agent_header_is_reduced_when_configured()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:GoogleAnalytics:UserAgent"] = "Reduced");
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint + GtagQuery + "&en=page_view", string.Empty, "text/plain", jar);

        Assert.Contains("Chrome/131.0.0.0", VendorTestHost.UserAgentOf(Assert.Single(await host.Upstream.WaitForAsync(1))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_user_id_replaces_the_clients()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.ConfigureFirstParty = f => f.Providers.UserId = _ => "user-4711");
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint + GtagQuery + "&uid=someone-else&en=page_view", string.Empty, "text/plain", jar);

        Assert.Equal("user-4711", QueryHelpers.ParseQuery(Assert.Single(await host.Upstream.WaitForAsync(1)).Uri.Query)["uid"]);
    }

    [Fact]
    public async Task Without_consent_the_hit_is_answered_204_and_not_forwarded()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Consent:Regime"] = "OptIn");
        using var dropped = host.App.CollectMetric("firstparty.collector.dropped");

        var answer = await host.PostAsync(Endpoint + GtagQuery + "&en=page_view", string.Empty, "text/plain", null);

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal("consent", measurement.Tags["reason"]);
        Assert.Equal("ga4", measurement.Tags["vendor"]);
    }

    [Theory]
    [InlineData("?v=1&tid=" + VendorTestHost.MeasurementId + "&cid=1.2&en=page_view")]
    [InlineData("?v=2&cid=1.2&en=page_view")]
    [InlineData("?v=2&tid=G-SOMEONEELSE&cid=1.2&en=page_view")]
    [InlineData("?v=2&tid=" + VendorTestHost.MeasurementId + "&cid=1.2")]
    [InlineData("?v=2&tid=G%3Cscript%3E&cid=1.2&en=page_view")]
    public async Task A_malformed_hit_is_a_400_problem_and_not_forwarded(string query)
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint + query, string.Empty, "text/plain", jar);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task A_body_line_without_an_event_name_is_a_400()
    {
        await using var host = await VendorTestHost.StartAsync();

        var answer = await host.PostAsync(Endpoint + GtagQuery, "en=scroll\nepn.value=3", "text/plain", null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
    }

    [Fact]
    public async Task A_4xx_from_google_drops_the_hit_and_a_5xx_is_retried()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var failed = host.App.CollectMetric("firstparty.collector.failed");
        var attempts = 0;
        host.Upstream.Respond = call => call.Uri.Query.Contains("en=bad", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.BadRequest)
            : Interlocked.Increment(ref attempts) == 1 ? new HttpResponseMessage(HttpStatusCode.BadGateway) : new HttpResponseMessage(HttpStatusCode.NoContent);
        var (jar, _) = await host.VisitAsync();

        await host.PostAsync(Endpoint + GtagQuery + "&en=bad", string.Empty, "text/plain", jar);
        await host.PostAsync(Endpoint + GtagQuery + "&en=good", string.Empty, "text/plain", jar);

        var calls = await host.Upstream.WaitForAsync(3);
        await VendorTestHost.SettleAsync();
        Assert.Single(host.Upstream.Calls, c => c.Uri.Query.Contains("en=bad", StringComparison.Ordinal));
        Assert.Equal(2, host.Upstream.Calls.Count(c => c.Uri.Query.Contains("en=good", StringComparison.Ordinal)));
        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.NotEmpty(calls);
    }

    [Fact]
    public async Task A_server_side_event_is_a_collect_hit_with_the_server_ids()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();
        var clientId = VendorTestHost.GoogleClientId(jar);

        await host.App.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar, r => r.Headers.TryAddWithoutValidation("User-Agent", VendorTestHost.UserAgent));

        await host.Upstream.WaitForAsync(c => c.Uri.Host == "region1.google-analytics.test");
        await VendorTestHost.SettleAsync();
        var call = host.Upstream.Calls.Single(c => c.Uri.Host == "region1.google-analytics.test");
        Assert.Equal(HttpMethod.Get, call.Method);
        Assert.Equal("/g/collect", call.Uri.AbsolutePath);
        var query = QueryHelpers.ParseQuery(call.Uri.Query);
        Assert.Equal("2", query["v"]);
        Assert.Equal(VendorTestHost.MeasurementId, query["tid"]);
        Assert.Equal(clientId, query["cid"]);
        Assert.Equal("purchase", query["en"]);
        Assert.Equal("http://localhost/track?name=purchase", query["dl"]);
        Assert.Matches("^[0-9]{10}$", query["sid"].ToString());
        Assert.Equal("203.0.113.0", query["_uip"]);
        Assert.Equal(VendorTestHost.UserAgent, VendorTestHost.UserAgentOf(call));
    }
}
