using System.Net;
using System.Text.Json;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Collector;

public sealed class PlausibleCollectorTests
{
    private const string Endpoint = "/plausible/api/event";

    /// <summary>What Plausible's script posts (§4.2): short keys, text/plain.</summary>
    private const string ScriptBody = """{"n":"pageview","v":22,"u":"https://shop.example/cart?utm_source=news","d":"shop.example","r":"https://search.example/","p":{"plan":"pro"}}""";

    [Fact]
    public async Task The_script_event_is_forwarded_as_json_with_the_visitors_user_agent_and_one_forwarded_for()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        var answer = await host.PostAsync(Endpoint, ScriptBody, "text/plain", jar, r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.1, 198.51.100.2");
            r.Headers.TryAddWithoutValidation("X-Plausible-IP", "198.51.100.3");
            r.Headers.TryAddWithoutValidation("CF-Connecting-IP", "198.51.100.4");
        });

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal("ok", answer.Body);
        Assert.Null(answer.Header("x-plausible-dropped"));
        Assert.Empty(answer.RawSetCookies);
        var call = Assert.Single(await host.Upstream.WaitForAsync(1));
        Assert.Equal(HttpMethod.Post, call.Method);
        Assert.Equal("https://plausible.test/api/event", call.Uri.ToString());
        Assert.StartsWith("application/json", call.ContentType, StringComparison.Ordinal);
        Assert.Equal(VendorTestHost.UserAgent, VendorTestHost.UserAgentOf(call));
        Assert.Equal([VendorTestHost.ClientIp], call.Headers["X-Forwarded-For"]);
        Assert.Null(call.Header("X-Plausible-IP"));
        Assert.Null(call.Header("CF-Connecting-IP"));
        Assert.Null(call.Header("Cookie"));
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("pageview", body.RootElement.GetProperty("n").GetString());
        Assert.Equal("https://shop.example/cart?utm_source=news", body.RootElement.GetProperty("u").GetString());
        Assert.Equal("shop.example", body.RootElement.GetProperty("d").GetString());
        Assert.Equal("pro", body.RootElement.GetProperty("p").GetProperty("plan").GetString());
    }

    [Fact]
    public async Task Long_keys_sent_as_json_are_accepted()
    {
        await using var host = await VendorTestHost.StartAsync();

        var answer = await host.PostAsync(Endpoint, """{"name":"Signup","url":"https://shop.example/join","domain":"shop.example","props":{"tier":2}}""", "application/json", null);

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        using var body = JsonDocument.Parse(Assert.Single(await host.Upstream.WaitForAsync(1)).Body);
        Assert.Equal("Signup", body.RootElement.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("Anonymized", "203.0.113.0")]
    [InlineData("None", null)]
    public async Task The_forwarded_for_header_follows_the_setting(string forwarding, string? expected)
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:Plausible:IpForwarding"] = forwarding);

        await host.PostAsync(Endpoint, ScriptBody, "text/plain", null, r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.1"));

        Assert.Equal(expected, Assert.Single(await host.Upstream.WaitForAsync(1)).Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task Without_consent_the_event_is_answered_as_plausible_answers_a_dropped_one()
    {
        await using var host = await VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Consent:Regime"] = "OptIn");
        using var dropped = host.App.CollectMetric("firstparty.collector.dropped");

        var answer = await host.PostAsync(Endpoint, ScriptBody, "text/plain", null);

        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal("1", answer.Header("x-plausible-dropped"));
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal("consent", measurement.Tags["reason"]);
        Assert.Equal("plausible", measurement.Tags["vendor"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"u":"https://shop.example/","d":"shop.example"}""")]
    [InlineData("""{"n":"pageview","d":"shop.example"}""")]
    [InlineData("""{"n":"pageview","u":"data:text/html,hi","d":"shop.example"}""")]
    [InlineData("""{"n":"pageview","u":"https://shop.example/"}""")]
    [InlineData("""{"n":"pageview","u":"https://other.example/","d":"other.example"}""")]
    [InlineData("""{"n":"pageview","u":"https://shop.example/","d":"shop.example,other.example"}""")]
    public async Task A_malformed_or_foreign_event_is_a_400_problem_and_not_forwarded(string body)
    {
        await using var host = await VendorTestHost.StartAsync();

        var answer = await host.PostAsync(Endpoint, body, "text/plain", null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        await VendorTestHost.SettleAsync();
        Assert.Empty(host.Upstream.Calls);
    }

    [Fact]
    public async Task A_400_from_plausible_drops_the_event_and_a_429_is_retried()
    {
        await using var host = await VendorTestHost.StartAsync();
        using var failed = host.App.CollectMetric("firstparty.collector.failed");
        var attempts = 0;
        host.Upstream.Respond = call => call.Body.Contains("\"bad\"", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.BadRequest)
            : Interlocked.Increment(ref attempts) == 1 ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) : new HttpResponseMessage(HttpStatusCode.Accepted);

        await host.PostAsync(Endpoint, """{"n":"bad","u":"https://shop.example/","d":"shop.example"}""", "text/plain", null);
        await host.PostAsync(Endpoint, ScriptBody, "text/plain", null);

        await host.Upstream.WaitForAsync(3);
        await VendorTestHost.SettleAsync();
        Assert.Single(host.Upstream.Calls, c => c.Body.Contains("\"bad\"", StringComparison.Ordinal));
        Assert.Equal(2, host.Upstream.Calls.Count(c => c.Body.Contains("pageview", StringComparison.Ordinal)));
        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_server_side_page_view_is_a_plausible_pageview()
    {
        await using var host = await VendorTestHost.StartAsync();
        var (jar, _) = await host.VisitAsync();

        await host.App.SendRawAsync(HttpMethod.Post, "/track", jar, r => r.Headers.TryAddWithoutValidation("User-Agent", VendorTestHost.UserAgent));

        await host.Upstream.WaitForAsync(c => c.Uri.Host == "plausible.test");
        await VendorTestHost.SettleAsync();
        var call = host.Upstream.Calls.Single(c => c.Uri.Host == "plausible.test");
        Assert.Equal("/api/event", call.Uri.AbsolutePath);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("pageview", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("http://localhost/track", body.RootElement.GetProperty("url").GetString());
        Assert.Equal(VendorTestHost.PlausibleDomain, body.RootElement.GetProperty("domain").GetString());
        Assert.Equal(VendorTestHost.UserAgent, VendorTestHost.UserAgentOf(call));
        Assert.Equal(VendorTestHost.ClientIp, call.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task No_user_agent_for_plausible_is_refused_at_startup()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => VendorTestHost.StartAsync(o => o.Configuration["FirstParty:Collector:Plausible:UserAgent"] = "None"));

        Assert.Contains("FirstParty:Collector:Plausible:UserAgent", ex.Message, StringComparison.Ordinal);
    }
}
